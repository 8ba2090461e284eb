"""The load test's figures, and every write the clients saw acknowledged looked for in the database.

Run by loadtest/run.sh with the project's virtualenv and the run's environment (DATABASE_URL…). Exits non-zero
when a request failed or an acknowledged write is missing or doubled.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"loadtest-[0-9a-f]{32}")
ACCESS_STATUS = re.compile(r'"[A-Z]+ [^"]*" (\d{3}) ')


def aggregated(stats: Path) -> dict[str, str]:
    with stats.open() as rows:
        return next(row for row in csv.DictReader(rows) if row["Name"] == "Aggregated")


def failures(path: Path) -> list[str]:
    if not path.exists():
        return []
    with path.open() as rows:
        return [f"{r['Occurrences']} × {r['Method']} {r['Name']}: {r['Error']}" for r in csv.DictReader(rows)]


def server_errors(access_log: Path) -> int:
    statuses = (ACCESS_STATUS.search(line) for line in access_log.read_text().splitlines())
    return sum(1 for match in statuses if match and int(match.group(1)) >= 500)


def main() -> int:
    parser = argparse.ArgumentParser()
    for name in ("stats", "failures", "acks", "access-log", "started", "commit", "users", "duration"):
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connectivity.settings")
    import django

    django.setup()
    from accounts.models import Account
    from feedback.models import ContactLog

    acks = [json.loads(line) for line in Path(args.acks).read_text().splitlines() if line.strip()]
    by_kind = Counter(ack["kind"] for ack in acks)
    logged = Counter(
        match.group(0)
        for summary in ContactLog.objects.filter(summary__startswith="loadtest-").values_list("summary", flat=True)
        if (match := MARKER.match(summary))
    )
    log_ids = dict(ContactLog.objects.filter(summary__startswith="loadtest-").values_list("summary", "pk"))
    updates = set(Account.history.filter(industry__startswith="loadtest-").values_list("id", "industry"))

    found = missing = doubled = 0
    for ack in acks:
        if ack["kind"] in {"api-contact-log", "page-contact-log"}:
            present = logged[ack["marker"]] >= 1
            if ack["kind"] == "api-contact-log":  # the id the client was given is the row with its words
                present = present and any(pk == ack["id"] for s, pk in log_ids.items() if s.startswith(ack["marker"]))
            doubled += max(logged[ack["marker"]] - 1, 0)
        else:
            present = (ack["id"], ack["industry"]) in updates
        found += present
        missing += not present

    total = aggregated(Path(args.stats))
    failed = failures(Path(args.failures))
    lines = [
        f"Load test {args.started}, commit {args.commit}: {args.users} users for {args.duration}",
        f"requests:            {total['Request Count']} ({float(total['Requests/s']):.1f}/s)",
        f"failures/errors:     {total['Failure Count']} (server 5xx in the access log: "
        f"{server_errors(Path(args.access_log))})",
        f"latency p50 / p95:   {total['50%']} ms / {total['95%']} ms (p99 {total['99%']} ms, max "
        f"{float(total['Max Response Time']):.0f} ms)",
        f"writes acknowledged: {len(acks)} ({', '.join(f'{k} {n}' for k, n in sorted(by_kind.items()))})",
        f"writes found:        {found} (missing {missing}, doubled {doubled})",
        *(f"  failure: {line}" for line in failed),
    ]
    print("\n".join(lines))  # noqa: T201 - the report is the point
    return 0 if int(total["Failure Count"]) == 0 and missing == 0 and doubled == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
