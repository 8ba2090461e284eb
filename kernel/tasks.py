"""The base class of every Celery task (the project's Celery app sets it as `task_cls`)."""

from __future__ import annotations

import functools
import logging
from typing import Any

from celery.contrib.django.task import DjangoTask
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)


class Task(DjangoTask[Any, Any]):
    """A DjangoTask whose `delay_on_commit` survives a broker that is down.

    Work queued on commit is owed by a row that transaction wrote (a webhook delivery, a notification), and a
    periodic sweep re-queues what such rows still owe. So when the broker cannot be reached just after the commit,
    raising would only turn a saved change into a 500 for the person who made it (after a wait for the broker): the
    failure is logged instead, and the sweep sends the work once the broker is back. Publishing is bounded by
    CELERY_BROKER_CONNECTION_TIMEOUT and CELERY_TASK_PUBLISH_RETRY_POLICY. Errors of the task itself (eager
    mode) still propagate: only an unreachable broker is caught.
    """

    def delay_on_commit(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        transaction.on_commit(functools.partial(self._send_after_commit, args, kwargs))

    def apply_async_on_commit(  # type: ignore[override]
        self, args: tuple[Any, ...] | None = None, kwargs: dict[str, Any] | None = None, **options: Any
    ) -> None:
        transaction.on_commit(functools.partial(self._send_after_commit, args or (), kwargs or {}, **options))

    def _send_after_commit(self, args: tuple[Any, ...], kwargs: dict[str, Any], **options: Any) -> None:
        self.send_or_log(args, kwargs, **options)

    def send_or_log(self, args: tuple[Any, ...], kwargs: dict[str, Any], **options: Any) -> bool:
        """apply_async, for code already running after a commit: False (and a warning) when the broker is down."""
        try:
            self.apply_async(args, kwargs, **options)
        except BrokerUnavailable as exc:
            logger.warning(
                "Broker unavailable, %s%r not queued after commit (%s); its row stays pending for the sweep.",
                self.name,
                args,
                exc,
            )
            return False
        return True
