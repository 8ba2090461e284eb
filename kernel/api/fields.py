"""Serializer fields every API body shares."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rest_framework import serializers


class DateTimeField(serializers.DateTimeField):
    """DRF's date-time, in the local time zone as before, except a moment whose local offset is not whole minutes:
    Amsterdam kept local mean time (+00:19:32) until 1937, and RFC 3339 offsets have no seconds, so such a
    moment is written in UTC (`Z`) instead. Services refuse dates before 2000 now; rows stored earlier may hold one.

    Every ModelSerializer's date-time fields are this one (kernel.apps registers it); declare it, not DRF's,
    for a date-time field a serializer names itself."""

    def enforce_timezone(self, value: datetime) -> datetime:
        local: datetime = super().enforce_timezone(value)
        offset = local.utcoffset()
        if offset is not None and offset % timedelta(minutes=1):
            return local.astimezone(UTC)
        return local
