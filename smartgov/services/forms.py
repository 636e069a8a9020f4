"""Application forms defined without code: checking a definition and validating answers.

A definition is a list of fields::

    {"name": "shop_name", "label": "店铺名称", "type": "text", "required": true,
     "min_length": 2, "max_length": 50, "pattern": "^.+店$",
     "show_if": {"field": "has_shop", "equals": "yes"},
     "prefill": "applicant.name"}

Types: text, number (``min``/``max``, ``integer``), date (``min``/``max`` as ISO dates), choice
(``choices``: list of ``{value, label}``, ``multiple``), id_number (GB 11643 citizen ID),
phone (mobile or fixed line). ``show_if`` names an earlier field and the value that shows this
one; a hidden field is neither required nor kept. ``prefill`` names applicant data the
platform fills in (applicant.name, applicant.citizen_id, applicant.phone,
enterprise.name, enterprise.credit_code) — used by the application pages.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction

from smartgov.accounts.scope import access
from smartgov.core import audit
from smartgov.core.errors import Conflict, InvalidInput, SmartgovError
from smartgov.core.validators import check_citizen_id, check_phone
from smartgov.services.models import FormDefinition, ItemStatus, ServiceItem
from smartgov.services.permissions import Perm

FIELD_TYPES = ("text", "number", "date", "choice", "id_number", "phone")
PREFILL_KEYS = (
    "applicant.name",
    "applicant.citizen_id",
    "applicant.phone",
    "enterprise.name",
    "enterprise.credit_code",
)
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$", re.ASCII)
MAX_FIELDS = 100
MAX_TEXT = 5000


def _bad(code: str, message: str, position: int, **detail) -> InvalidInput:
    return InvalidInput(code, message, detail={"field": position, **detail})


def _iso_date(value, code: str, position: int) -> str:
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise _bad(code, "A date is written YYYY-MM-DD.", position) from None


def check_definition(fields) -> list[dict]:
    """Check a whole form definition; returns it normalised (raises InvalidInput)."""
    if not isinstance(fields, list) or len(fields) > MAX_FIELDS:
        raise InvalidInput("form_format", "A form is a list of at most 100 fields.")
    cleaned, seen = [], {}
    for position, field in enumerate(fields):
        if not isinstance(field, dict):
            raise _bad("form_format", "A form field is an object.", position)
        name = str(field.get("name") or "")
        if not NAME_RE.match(name):
            raise _bad(
                "form_field_name",
                "A field name is a lower-case letter, then up to 39 letters, digits or _.",
                position,
            )
        if name in seen:
            raise _bad("form_field_duplicate", "Two fields have the same name.", position)
        label = str(field.get("label") or "").strip()
        if not label or len(label) > 100:
            raise _bad("form_field_label", "A field needs a label of 1–100 characters.", position)
        kind = field.get("type")
        if kind not in FIELD_TYPES:
            raise _bad(
                "form_field_type", "Unknown field type.", position, allowed=list(FIELD_TYPES)
            )
        out = {"name": name, "label": label, "type": kind, "required": bool(field.get("required"))}
        if field.get("help"):
            out["help"] = str(field["help"])[:500]
        if kind == "text":
            for key in ("min_length", "max_length"):
                if field.get(key) is not None:
                    value = field[key]
                    if (
                        not isinstance(value, int)
                        or isinstance(value, bool)
                        or not (0 <= value <= MAX_TEXT)
                    ):
                        raise _bad("form_field_length", "A length is 0–5000.", position)
                    out[key] = value
            if field.get("pattern"):
                try:
                    re.compile(field["pattern"])
                except re.error:
                    raise _bad(
                        "form_field_pattern", "The pattern is not valid.", position
                    ) from None
                out["pattern"] = field["pattern"]
        elif kind == "number":
            for key in ("min", "max"):
                if field.get(key) is not None:
                    try:
                        out[key] = str(Decimal(str(field[key])))
                    except InvalidOperation:
                        raise _bad("form_field_bound", "A bound is a number.", position) from None
            out["integer"] = bool(field.get("integer"))
        elif kind == "date":
            for key in ("min", "max"):
                if field.get(key):
                    out[key] = _iso_date(field[key], "form_field_bound", position)
        elif kind == "choice":
            choices = field.get("choices")
            if not isinstance(choices, list) or not choices:
                raise _bad("form_field_choices", "A choice field lists its choices.", position)
            values = []
            for choice in choices:
                if isinstance(choice, str):
                    choice = {"value": choice, "label": choice}
                if not isinstance(choice, dict) or not str(choice.get("value") or "").strip():
                    raise _bad("form_field_choices", "Every choice has a value.", position)
                values.append(
                    {
                        "value": str(choice["value"]).strip(),
                        "label": str(choice.get("label") or choice["value"]),
                    }
                )
            if len({c["value"] for c in values}) != len(values):
                raise _bad("form_field_choices", "Two choices have the same value.", position)
            out["choices"] = values
            out["multiple"] = bool(field.get("multiple"))
        show_if = field.get("show_if")
        if show_if:
            if not isinstance(show_if, dict) or show_if.get("field") not in seen:
                raise _bad(
                    "form_field_show_if",
                    "A condition names an earlier field of the form and a value.",
                    position,
                )
            out["show_if"] = {"field": show_if["field"], "equals": show_if.get("equals")}
        prefill = field.get("prefill")
        if prefill:
            if prefill not in PREFILL_KEYS:
                raise _bad(
                    "form_field_prefill",
                    "Unknown applicant data to fill in.",
                    position,
                    allowed=list(PREFILL_KEYS),
                )
            out["prefill"] = prefill
        seen[name] = out
        cleaned.append(out)
    return cleaned


def _visible(field: dict, cleaned: dict) -> bool:
    condition = field.get("show_if")
    if not condition:
        return True
    value = cleaned.get(condition["field"])
    if isinstance(value, list):
        return condition["equals"] in value
    return value is not None and str(value) == str(condition["equals"])


def _value(field: dict, raw):
    """One answer, converted and checked; raises ValueError with a message."""
    kind = field["type"]
    if kind == "text":
        text = str(raw).strip()
        if len(text) < field.get("min_length", 0):
            raise ValueError("too_short", "The answer is too short.")
        if len(text) > field.get("max_length", MAX_TEXT):
            raise ValueError("too_long", "The answer is too long.")
        if field.get("pattern") and not re.fullmatch(field["pattern"], text):
            raise ValueError("pattern", "The answer does not have the expected form.")
        return text
    if kind == "number":
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValueError("not_a_number", "A number is expected.") from None
        if not number.is_finite():
            raise ValueError("not_a_number", "A number is expected.")
        if field.get("integer") and number != number.to_integral_value():
            raise ValueError("not_an_integer", "A whole number is expected.")
        if "min" in field and number < Decimal(field["min"]):
            raise ValueError("too_small", "The number is below the minimum.")
        if "max" in field and number > Decimal(field["max"]):
            raise ValueError("too_large", "The number is above the maximum.")
        return int(number) if field.get("integer") else str(number)
    if kind == "date":
        try:
            day = date.fromisoformat(str(raw).strip())
        except ValueError:
            raise ValueError("not_a_date", "A date is written YYYY-MM-DD.") from None
        if "min" in field and day.isoformat() < field["min"]:
            raise ValueError("too_early", "The date is too early.")
        if "max" in field and day.isoformat() > field["max"]:
            raise ValueError("too_late", "The date is too late.")
        return day.isoformat()
    if kind == "choice":
        allowed = {c["value"] for c in field["choices"]}
        values = raw if isinstance(raw, list) else [raw]
        values = [str(v).strip() for v in values]
        if not field.get("multiple") and len(values) != 1:
            raise ValueError("one_choice", "Choose one of the choices.")
        if any(v not in allowed for v in values):
            raise ValueError("unknown_choice", "Choose one of the choices.")
        return values if field.get("multiple") else values[0]
    checker = check_citizen_id if kind == "id_number" else check_phone
    try:
        return checker(str(raw))
    except SmartgovError as exc:
        raise ValueError(exc.code, exc.message) from None


def _empty(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def validate_form(definition: list[dict], data: dict) -> tuple[dict, dict]:
    """Answers checked against a (checked) definition: ``(cleaned, errors)``.

    ``errors`` maps a field name to ``{code, message}``; it is empty when the answers are
    valid. Hidden fields (``show_if`` not met) and unknown keys are dropped from ``cleaned``.
    """
    if not isinstance(data, dict):
        return {}, {"": {"code": "form_data_format", "message": "Answers are an object."}}
    cleaned, errors = {}, {}
    for field in definition:
        name = field["name"]
        if not _visible(field, cleaned):
            continue
        raw = data.get(name)
        if _empty(raw):
            if field.get("required"):
                errors[name] = {"code": "required", "message": "This field is required."}
            continue
        try:
            cleaned[name] = _value(field, raw)
        except ValueError as exc:
            code, message = exc.args
            errors[name] = {"code": code, "message": message}
    return cleaned, errors


def form_of(item: ServiceItem) -> list[dict]:
    """The item version's form definition (empty when none was defined)."""
    try:
        definition = item.form  # read with the item when it was select_related("form")
    except FormDefinition.DoesNotExist:
        return []
    return definition.fields


@transaction.atomic
def set_form(*, actor, item_id: int, fields: list[dict]) -> FormDefinition:
    """Replace a draft item version's application form (checked as a whole)."""
    item = access(ServiceItem.objects.select_for_update(), actor, Perm.MANAGE_ITEMS, pk=item_id)
    if item.status != ItemStatus.DRAFT:
        raise Conflict(
            "not_a_draft",
            "Only a draft can be changed; start a new version of a published item.",
            detail={"status": item.status},
        )
    cleaned = check_definition(fields)
    definition, _created = FormDefinition.objects.get_or_create(item=item)
    before = {"fields": definition.fields}
    definition.fields = cleaned
    definition.save()
    audit.record(
        actor=actor,
        action="services.item.set_form",
        obj=item,
        before=before,
        after={"fields": cleaned},
    )
    return definition
