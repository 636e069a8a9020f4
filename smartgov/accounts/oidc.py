"""The OpenID Connect provider's claims: what a client learns about the logged-in user.

``sub`` is the account's id as a string (stable, meaningless outside the platform). The
citizen ID is never a claim: a client that needs it asks the data-sharing platform under a
grant, where the access is recorded for the citizen to see.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop
from oauth2_provider.oauth2_validators import OAuth2Validator

# Which scope releases each claim; a claim not listed here is never sent.
CLAIM_SCOPES = {
    "name": "profile",
    "preferred_username": "profile",
    "account_kind": "profile",
    "email": "email",
    "phone_number": "phone",
}


def _e164(mobile: str) -> str:
    # OIDC recommends E.164; accounts store mainland mobile numbers as 11 digits.
    return f"+86{mobile}" if mobile else ""


class SmartgovOIDCValidator(OAuth2Validator):
    """Standard claims plus the account kind; scopes decide which claims a client receives."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, **CLAIM_SCOPES}

    def get_additional_claims(self, request):
        user = request.user
        claims = {
            "name": user.display_name,
            "preferred_username": user.username,
            "account_kind": user.kind,
            "email": user.email,
            "phone_number": _e164(user.phone),
        }
        # An absent value is omitted rather than sent as "" (OIDC Core §5.3.2).
        return {key: value for key, value in claims.items() if value and key in CLAIM_SCOPES}

    def get_discovery_claims(self, request):
        # The parent can list claims only for request-agnostic get_additional_claims.
        return ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", *CLAIM_SCOPES]


# Descriptions of the scopes in settings.OAUTH2_PROVIDER["SCOPES"], shown translated on the
# consent page; listed here so they are part of this app's catalog.
SCOPE_DESCRIPTIONS = [
    gettext_noop("OpenID Connect"),
    gettext_noop("Name and account kind"),
    gettext_noop("E-mail address"),
    gettext_noop("Mobile number"),
]
