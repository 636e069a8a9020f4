"""The sharing gateway under /gateway/v1/ (app key + HMAC signature, not user sessions)."""

urlpatterns: list = []
