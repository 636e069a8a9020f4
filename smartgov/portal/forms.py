"""Page forms. They check shape only; services own the business rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Login name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=256)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput, min_length=8
    )
    new_password_again = forms.CharField(label=_("New password again"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data
