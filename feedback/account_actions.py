"""What the account page offers from feedback: logging a conversation with this customer (accounts.actions)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from accounts import actions
from accounts.models import Account
from kernel.actions import Action


@actions.timeline.register("feedback.log")
def log_a_conversation(account: Account, person: Any) -> list[Action]:
    # Whoever may open the account may log a conversation with it (the page is only shown to them).
    url = f"{reverse('feedback:log')}?account={account.pk}"
    return [Action(label="Log a conversation", url=url, style="warning")]
