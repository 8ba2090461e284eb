"""What actionplans tells the apps above it, which it may not import: they connect receivers in AppConfig.ready().

`plan_confirmed` is sent inside the transaction that records the customer's confirmation that a plan's problem is
solved, with `plan_id` and `account_id`. A receiver that works later queues it on commit, so a rolled-back
change sends nothing (surveys schedules its after-resolution pulse this way).
"""

from __future__ import annotations

from django.dispatch import Signal

plan_confirmed = Signal()


def send_plan_confirmed(*, plan_id: int, account_id: int) -> None:
    plan_confirmed.send(sender="actionplans", plan_id=plan_id, account_id=account_id)
