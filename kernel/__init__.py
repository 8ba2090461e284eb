"""The shared kernel: what every app uses and no app owns.

Versions (`StaleVersion`, the versioned update), idempotency keys, the API's error, schema, filter, paging and
version helpers, the Celery base task, CSV exports and the seeding context. The kernel imports no app and no
project module; apps import it, and the project package (`connectivity/`) composes them all.
"""
