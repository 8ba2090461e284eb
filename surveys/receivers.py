"""What surveys does when lower apps report a change (their signals; they cannot import this app)."""

from __future__ import annotations

from typing import Any

from actionplans.signals import plan_confirmed
from surveys import tasks


def schedule_pulse_on_commit(*, plan_id: int, **_: Any) -> None:
    """A plan confirmed resolved gets its pulse survey, scheduled once the confirmation is committed."""
    tasks.schedule_pulse_task.delay_on_commit(plan_id)


plan_confirmed.connect(schedule_pulse_on_commit, dispatch_uid="surveys.schedule_pulse")
