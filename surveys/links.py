"""The private survey link: a signed token over the invitation's id and nonce (django.core.signing, own salt).

Tampering breaks the signature; revoking rotates the nonce, so links sent before stop matching; expiry and single
use are the invitation's and campaign's state, read when the link is opened (surveys.selectors.live_invitation).
The token says nothing but an id, and every way a link can be bad answers the same page.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.urls import reverse

from surveys.models import SurveyInvitation

SALT = "surveys.link"
# A backstop beyond each campaign's own expiry: no link, whatever its campaign says, lives longer than this.
MAX_AGE_SECONDS = 400 * 24 * 3600


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def make_token(invitation: SurveyInvitation) -> str:
    return signing.dumps([invitation.pk, invitation.nonce], salt=SALT, compress=False)


def read_token(token: str) -> tuple[int, str] | None:
    """(invitation id, nonce) from a token this site signed, or None for anything else."""
    if len(token) > 200:
        return None
    try:
        value = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except (signing.BadSignature, ValueError):
        return None
    if not (isinstance(value, list) and len(value) == 2):
        return None
    pk, nonce = value
    if not isinstance(pk, int) or isinstance(pk, bool) or not isinstance(nonce, str) or not 0 < pk < 2**63:
        return None
    return pk, nonce


def absolute_link(invitation: SurveyInvitation) -> str:
    """The link written in the email: SITE_URL (where customers reach this site) and the public page's path."""
    path = reverse("survey_link:answer", args=[make_token(invitation)])
    return f"{str(settings.SITE_URL).rstrip('/')}{path}"
