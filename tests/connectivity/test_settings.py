"""Start-up refuses bad configuration with one clear line naming the variable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import subprocess_env

ROOT = Path(__file__).resolve().parents[2]


def run_check(tmp_path: Path, **overrides: str) -> subprocess.CompletedProcess[str]:
    env = subprocess_env(VAR_DIR=str(tmp_path), **overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("url", ["nonsense", "mysql://db/x", "postgres://"])
def test_a_malformed_database_url_stops_start_up_with_one_line(tmp_path: Path, url: str) -> None:
    result = run_check(tmp_path, DEBUG="true", DATABASE_URL=url)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("configuration error: DATABASE_URL is malformed")


def test_a_missing_secret_key_with_debug_off_stops_start_up(tmp_path: Path) -> None:
    result = run_check(tmp_path, DEBUG="false")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "configuration error: SECRET_KEY is required when DEBUG is off (set SECRET_KEY, or DEBUG=true locally)"
    )


def test_a_local_run_generates_and_keeps_its_secret_key(tmp_path: Path) -> None:
    assert run_check(tmp_path, DEBUG="true").returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert run_check(tmp_path, DEBUG="true").returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    env = subprocess_env(
        VAR_DIR=str(tmp_path),
        DEBUG="false",
        SECRET_KEY="x" * 20 + "-a-long-random-looking-secret-for-the-deploy-check-only",
        ALLOWED_HOSTS="crm.example.com",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
