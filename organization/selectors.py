from __future__ import annotations

from django.db.models import Count, QuerySet

from organization.models import ApiClient, Department


def departments_with_counts() -> QuerySet[Department]:
    return Department.objects.select_related("lead").annotate(member_count=Count("members", distinct=True))


def api_client_for_token(*, token: str) -> ApiClient | None:
    """The active client whose token this is, or None. Looks up by the public prefix, compares the digest."""
    parts = token.split("_", 2)  # the secret part may itself contain "_"
    if len(parts) != 3 or parts[0] != ApiClient.TOKEN_PREFIX:
        return None
    client = ApiClient.objects.select_related("department").filter(token_prefix=parts[1], is_active=True).first()
    if client is None or not client.token_matches(token):
        return None
    return client
