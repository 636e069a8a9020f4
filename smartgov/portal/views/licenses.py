"""E-license pages (电子证照): the holder's wallet, one license with its QR code and usage log,
the public verify page, and the staff issue form. Reads and changes go through
``smartgov.licenses.services``; a service's refusal is shown on the page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from smartgov.accounts.scope import has_perm, require_perm
from smartgov.core.errors import SmartgovError
from smartgov.core.middleware import client_ip
from smartgov.licenses import services
from smartgov.licenses.models import LicenseStatus
from smartgov.licenses.permissions import Perm
from smartgov.licenses.qr import qr_svg
from smartgov.licenses.throttle import check_verify_rate

# Why a license failed verification, in plain Chinese (msgids English, shown translated).
REASON_TEXT = {
    "malformed": gettext_lazy("The code is not an e-license code or is damaged."),
    "unknown_license": gettext_lazy("No e-license with this identifier was issued."),
    "signature_invalid": gettext_lazy("The signature does not match: the code is forged."),
    "content_altered": gettext_lazy("The license's content was changed after it was signed."),
    "wrong_key": gettext_lazy("The license was not signed with its issuer's key."),
    "revoked": gettext_lazy("The issuer has revoked this license."),
    "suspended": gettext_lazy("The issuer has suspended this license."),
    "expired": gettext_lazy("The license's validity has ended."),
    "not_yet_valid": gettext_lazy("The license is not valid yet."),
}
STATUS_TEXT = {
    LicenseStatus.VALID: gettext_lazy("In force"),
    LicenseStatus.SUSPENDED: gettext_lazy("Suspended"),
    LicenseStatus.REVOKED: gettext_lazy("Revoked by the issuer"),
    LicenseStatus.EXPIRED: gettext_lazy("Expired"),
}
STATUS_COLOR = {"valid": "green", "suspended": "yellow", "revoked": "red", "expired": "secondary"}


def _card(license) -> dict:
    return {
        "license": license,
        "status_text": STATUS_TEXT.get(license.status, license.status),
        "color": STATUS_COLOR.get(license.status, "secondary"),
        "url": reverse("portal:licenses_detail", args=[license.identifier]),
    }


@login_required
@require_GET
def wallet(request):
    """我的证照: the holder's licenses as cards; staff who issue see a link to the form."""
    cards = [_card(item) for item in services.holder_licenses(request.user)]
    return render(
        request,
        "portal/licenses/wallet.html",
        {"cards": cards, "can_issue": has_perm(request.user, Perm.ISSUE)},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500, required=False)


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, identifier: str):
    """One license: its data, QR code and who used it; issuing staff may change its status."""
    license, uses = services.license_uses(actor=request.user, identifier=identifier)
    can_manage = services.may_manage(request.user, license)
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        reason = request.POST.get("reason", "")
        actions = {
            "suspend": services.suspend_license,
            "reinstate": services.reinstate_license,
            "revoke": services.revoke_license,
        }
        if not can_manage:
            require_perm(request.user, Perm.MANAGE)
            error = _("You may not change this license's status.")
        elif action not in actions:
            error = _("Unknown action.")
        else:
            try:
                actions[action](actor=request.user, license=license, reason=reason)
            except SmartgovError as exc:
                error = exc.message
            else:
                messages.success(request, _("The license's status was changed."))
                return redirect("portal:licenses_detail", identifier=license.identifier)
    fields = [
        (item.get("label") or item["name"], license.data.get(item["name"], ""))
        for item in (license.license_type.schema or {}).get("fields", [])
    ]
    return render(
        request,
        "portal/licenses/detail.html",
        {
            **_card(license),
            "fields": fields,
            "uses": uses,
            "qr": qr_svg(license, base_url=request.build_absolute_uri("/").rstrip("/")),
            "qr_code": services.qr_code(license),
            "can_manage": can_manage,
            "error": error,
            "form": ReasonForm(),
        },
    )


@require_GET
def verify(request):
    """亮证核验: anyone pastes or scans a code and reads 有效 / 无效 and why."""
    code = (request.GET.get("code") or "").strip()
    result = None
    if code:
        check_verify_rate(client_ip(request))
        if len(code) > 400:
            result = services.VerifyResult(valid=False, reasons=["malformed"])
        elif services.PAYLOAD_SEPARATOR in code:
            result = services.verify_license(payload=code)
        else:  # a typed identifier: checked against the stored signature
            result = services.verify_license(identifier=code)
    reasons = [REASON_TEXT.get(reason, reason) for reason in (result.reasons if result else [])]
    status_text = ""
    if result and result.license:
        status_text = STATUS_TEXT.get(result.license["status"], result.license["status"])
    return render(
        request,
        "portal/licenses/verify.html",
        {"code": code, "result": result, "reasons": reasons, "status_text": status_text},
    )


class IssueForm(forms.Form):
    holder_id = forms.CharField(label=gettext_lazy("Holder's ID number"), max_length=18)
    holder_name = forms.CharField(label=gettext_lazy("Holder's name"), max_length=128)
    valid_from = forms.DateField(
        label=gettext_lazy("Valid from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, license_type, **kwargs):
        super().__init__(*args, **kwargs)
        for item in (license_type.schema or {}).get("fields", []):
            kind = item.get("type", "string")
            label = item.get("label") or item["name"]
            required = bool(item.get("required"))
            if kind == "date":
                field = forms.DateField(
                    label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
                )
            elif kind == "number":
                field = forms.DecimalField(label=label, required=required)
            else:
                field = forms.CharField(label=label, required=required, max_length=500)
            self.fields[f"data_{item['name']}"] = field
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def data_values(self) -> dict:
        values = {}
        for name, value in self.cleaned_data.items():
            if not name.startswith("data_") or value in (None, ""):
                continue
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            elif not isinstance(value, str):
                value = int(value) if value == int(value) else float(value)
            values[name[5:]] = value
        return values


_ISSUE_ERROR_FIELD = {
    "holder_name_required": "holder_name",
    "validity_invalid": "valid_from",
}


@login_required
@require_http_methods(["GET", "POST"])
def issue(request):
    """签发电子证照: pick one of the department's types, fill the holder and data, sign."""
    require_perm(request.user, Perm.ISSUE)
    types = list(services.issuable_types(request.user))
    chosen = next((t for t in types if t.code == request.GET.get("type")), None)
    form = None
    if chosen is not None:
        form = IssueForm(request.POST or None, license_type=chosen)
        if request.method == "POST" and form.is_valid():
            try:
                license = services.issue_license(
                    actor=request.user,
                    license_type=chosen,
                    holder_id=form.cleaned_data["holder_id"],
                    holder_name=form.cleaned_data["holder_name"],
                    data=form.data_values(),
                    valid_from=form.cleaned_data["valid_from"],
                )
            except SmartgovError as exc:
                field = _ISSUE_ERROR_FIELD.get(exc.code)
                if field is None and exc.code.startswith(("citizen_id", "credit_code", "holder")):
                    field = "holder_id"
                form.add_error(field, exc.message)
            else:
                messages.success(request, _("The e-license was issued and signed."))
                return redirect("portal:licenses_detail", identifier=license.identifier)
    recent = [_card(item) for item in services.department_licenses(request.user)[:20]]
    return render(
        request,
        "portal/licenses/issue.html",
        {
            "types": types,
            "chosen": chosen,
            "form": form,
            "recent": recent,
            "can_manage_keys": has_perm(request.user, Perm.MANAGE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def keys(request):
    """签发密钥: each department's SM2 keys; rotating retires the active one (kept for
    verifying what it signed) and makes a new one for what is issued from now on."""
    require_perm(request.user, Perm.MANAGE)
    departments = list(services.key_departments(request.user))
    if request.method == "POST":
        chosen = next((d for d in departments if str(d.pk) == request.POST.get("department")), None)
        if chosen is None:
            messages.error(request, _("Choose one of your departments."))
        else:
            key = services.rotate_key(actor=request.user, department=chosen)
            messages.success(
                request,
                _("A new signing key (%(fingerprint)s) is active for %(department)s.")
                % {"fingerprint": services.key_fingerprint(key), "department": chosen.name},
            )
        return redirect("portal:licenses_keys")
    rows = [
        {
            "department": department,
            "keys": [
                {"key": key, "fingerprint": services.key_fingerprint(key), "signed": signed}
                for key, signed in services.keys_of(department)
            ],
        }
        for department in departments
    ]
    return render(request, "portal/licenses/keys.html", {"rows": rows})
