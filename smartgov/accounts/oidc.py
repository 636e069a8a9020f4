"""The OpenID Connect provider's claims: what a client learns about the logged-in user."""

from __future__ import annotations

from oauth2_provider.oauth2_validators import OAuth2Validator


class SmartgovOIDCValidator(OAuth2Validator):
    """Standard claims plus the account kind; scopes decide which claims a client receives."""

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "name": "profile",
        "preferred_username": "profile",
        "account_kind": "profile",
        "email": "email",
        "phone_number": "phone",
    }

    def get_additional_claims(self, request):
        user = request.user
        return {
            "name": user.display_name,
            "preferred_username": user.username,
            "account_kind": user.kind,
            "email": user.email,
            "phone_number": user.phone,
        }
