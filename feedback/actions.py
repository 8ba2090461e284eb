"""What an issue or a conversation offers that other apps provide (kernel.actions): `issue` actions sit on the issue
wherever it is shown (the inbox, its page); `issue_page` actions only on its own page (e.g. links to its plans);
`log` actions on a conversation's page (e.g. "New plan")."""

from __future__ import annotations

from feedback.models import ContactLog, Issue
from kernel.actions import ActionRegistry

issue: ActionRegistry[Issue] = ActionRegistry()
issue_page: ActionRegistry[Issue] = ActionRegistry()
log: ActionRegistry[ContactLog] = ActionRegistry()
