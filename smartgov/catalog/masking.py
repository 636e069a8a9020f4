"""Masking (脱敏, GB/T 37964) of one field value according to the field's masking rule."""

from __future__ import annotations

from smartgov.core.validators import mask_citizen_id, mask_name, mask_phone


def mask_address(value: str) -> str:
    """Keep the first six characters (district and street level), hide the rest."""
    return value[:6] + "*" * max(len(value) - 6, 0)


def mask_value(rule: str, value):
    """The value as a reader without clearance sees it; None and empty values stay as they are."""
    if value is None or value == "" or rule in ("", "none"):
        return value
    text = str(value)
    if rule == "citizen_id":
        return mask_citizen_id(text)
    if rule == "name":
        return mask_name(text)
    if rule == "phone":
        return mask_phone(text)
    if rule == "address":
        return mask_address(text)
    # "full" and any rule this code does not know: hide everything rather than leak.
    return "*" * len(text)
