"""Each role's home page at desktop and phone width, as PNGs for the README: `make screenshots`.

Seeds the demo data into a throwaway SQLite database (its own VAR_DIR, deleted afterwards), serves it with
runserver on a free port, logs in as each demo persona in Chromium (Debian's, or CHROMIUM_PATH) and saves what
the viewport shows (not the full page: the PNGs are committed, and the top of the page is what a person sees
first). Nothing here touches var/ or the database `make run` uses.

    python -m tests.browser.screenshots docs/screenshots
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PASSWORD = "connectivity-demo"  # kernel.seeding.DEMO_PASSWORD, without importing Django here
PERSONAS = [  # (file name, email): the demo logins of organization.seed.DEMO_USERS
    ("admin", "admin@example.com"),
    ("executive", "erin@example.com"),
    ("account-manager", "alice@example.com"),
    ("department-lead", "dana@example.com"),
    ("staff", "bob@example.com"),
]
VIEWPORTS = [(1280, 800), (375, 812)]  # a laptop, and a phone (iPhone X/11 Pro CSS pixels)
# Variables of the caller's environment that would point the child processes at another database or settings.
ISOLATED = ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "ALLOWED_HOSTS")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until_up(url: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped before answering (exit {server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local server
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    sys.exit(f"{url} did not answer within {timeout:.0f} s")


def shoot(base: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    saved: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, email in PERSONAS:
            for width, height in VIEWPORTS:
                context = browser.new_context(
                    base_url=base, viewport={"width": width, "height": height}, device_scale_factor=1
                )
                page = context.new_page()
                page.goto("/login/")
                page.fill("input[name=username]", email)
                page.fill("input[name=password]", PASSWORD)
                page.press("input[name=password]", "Enter")
                page.get_by_role("heading", name="Good to see you").wait_for()
                page.wait_for_load_state("networkidle")
                path = out / f"home-{name}-{width}.png"
                page.screenshot(path=str(path), animations="disabled", caret="hide")
                saved.append(path)
                context.close()
        browser.close()
    return saved


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots").resolve()
    out.mkdir(parents=True, exist_ok=True)
    if not Path(CHROMIUM).exists():
        sys.exit(f"Chromium not found at {CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH")
    with tempfile.TemporaryDirectory(prefix="connectivity-screenshots-") as var:
        env = {k: v for k, v in os.environ.items() if k not in ISOLATED}
        env.update(DEBUG="true", VAR_DIR=var, LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
        manage = [sys.executable, str(ROOT / "manage.py")]
        for command in (["migrate", "--noinput", "-v0"], ["seed_demo", "--quiet", "--no-logins"]):
            subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True)
        port = free_port()
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(f"{base}/login/", server)
            saved = shoot(base, out)
        finally:
            server.terminate()
            server.wait(timeout=15)
    for path in saved:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1024} KB")  # noqa: T201


if __name__ == "__main__":
    main()
