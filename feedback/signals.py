"""What feedback tells the apps above it, which it may not import: they connect receivers in AppConfig.ready().

`conversations_changed` is sent inside the transaction that logs, edits, moves or deletes a conversation, with
`account_ids`: the accounts whose conversations changed. A receiver that works later queues it on commit, so a
rolled-back change sends nothing (dashboards recomputes those accounts' health this way).
"""

from __future__ import annotations

from django.dispatch import Signal

conversations_changed = Signal()


def send_conversations_changed(*account_ids: int) -> None:
    conversations_changed.send(sender="feedback", account_ids=sorted(set(account_ids)))
