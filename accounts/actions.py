"""What the account page offers that other apps provide (log a conversation, its plans…): see kernel.actions.
`header` actions sit beside Edit and Score; `timeline` actions above the timeline."""

from __future__ import annotations

from accounts.models import Account
from kernel.actions import ActionRegistry

header: ActionRegistry[Account] = ActionRegistry()
timeline: ActionRegistry[Account] = ActionRegistry()
