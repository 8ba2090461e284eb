"""Outgoing webhooks: signed POSTs telling internal systems about events, written through an outbox.

One module, one job: `services` (subscribe, unsubscribe, `emit`, `deliver` and its bookkeeping, the re-sweep),
`selectors` (the reads), `signing` (the signature a receiver checks), `targets` (which addresses webhooks may go
to: public ones, unless WEBHOOK_ALLOWED_HOSTS lists the host) and `transport` (the HTTP request, made to an
address `targets` vetted).

Flow. A service in another app calls `services.emit(...)` inside its own transaction: one `WebhookDelivery` row
per active subscription to the event is inserted there, and a `deliver_webhook_task` is queued for each *after*
the commit (`delay_on_commit`), so a rolled-back change sends nothing and a committed one is never forgotten.
`services.deliver()` claims the row with a conditional UPDATE (only one caller wins an attempt), sends the request
outside any transaction, and records the outcome. A failed attempt is retried with exponential backoff; the beat
task `redeliver_webhooks_task` re-sweeps due rows every minute, which both drives those retries and rescues rows
whose task was lost (the broker was down at commit, a worker died mid-send).

Delivery is at least once: a worker that dies after the receiver answered but before the outcome is recorded
sends again after the claim's lease. Receivers ignore a repeated `event_id`. See docs/webhooks.md.
"""
