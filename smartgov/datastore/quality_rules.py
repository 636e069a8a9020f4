"""What a valid quality rule is: the rules derived from a resource's catalog metadata, and
the checks an explicit rule passes before it is stored (each refusal a code and a message)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from re import _parser  # the re module's own parser: finds nested repeats

from django.utils.translation import gettext_noop

from smartgov.catalog.models import RECORD_FORMATS, Field, Resource, ResourceStatus
from smartgov.core.errors import InvalidInput
from smartgov.datastore.models import QualityKind
from smartgov.datastore.quality_checks import (
    ALLOWED_AGE,
    NUMBER_TYPES,
    TEXT_TYPES,
    TIME_TYPES,
    type_family,
)
from smartgov.datastore.validation import Rejected, build_checker, output

EXPLICIT_KINDS = (
    QualityKind.COMPLETENESS,
    QualityKind.VALIDITY,
    QualityKind.UNIQUENESS,
    QualityKind.CONSISTENCY,
)
# How many fields a rule of each kind names: (at least, at most).
FIELD_COUNTS = {
    QualityKind.COMPLETENESS: (0, 1),  # none: every required field
    QualityKind.VALIDITY: (1, 1),
    QualityKind.UNIQUENESS: (1, 5),
    QualityKind.CONSISTENCY: (1, 1),
}
DEFAULT_THRESHOLD = {
    QualityKind.COMPLETENESS: Decimal(100),
    QualityKind.VALIDITY: Decimal(95),
    QualityKind.UNIQUENESS: Decimal(100),
    QualityKind.CONSISTENCY: Decimal(95),
    QualityKind.TIMELINESS: Decimal(100),
    QualityKind.ACCEPTANCE: Decimal(95),
}
VALIDITY_PARAMS = ("pattern", "min", "max", "not_future")
MAX_PATTERN = 200
MAX_WEIGHT = 100
MAX_NOTE = 200
RULE_FIELDS = (
    "fields",
    "params",
    "target_resource_id",
    "target_field",
    "weight",
    "threshold",
    "enabled",
    "note",
)
# What a derived rule may change: its basis comes from the catalog.
DEFAULT_RULE_FIELDS = ("weight", "threshold", "enabled", "note")


def derived_rules(resource: Resource) -> dict[str, dict]:
    """The derived rules a resource's metadata calls for: basis -> rule values."""
    fields = list(resource.fields.order_by("position", "id"))
    wanted: dict[str, dict] = {
        "acceptance": {"kind": QualityKind.ACCEPTANCE, "fields": []},
    }
    if any(f.required for f in fields):
        wanted["completeness:required"] = {"kind": QualityKind.COMPLETENESS, "fields": []}
    keys = [f.name for f in fields if f.is_key]
    if keys:
        wanted["uniqueness:key"] = {"kind": QualityKind.UNIQUENESS, "fields": keys}
    if resource.update_cycle in ALLOWED_AGE:
        wanted["timeliness:cycle"] = {"kind": QualityKind.TIMELINESS, "fields": []}
    return wanted


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _typed(data_type: str, text: str):
    """A range bound as a comparable Python value (raises Rejected when it does not parse)."""
    stored = build_checker({"data_type": data_type, "required": True})(text)
    canonical = output(data_type)(stored)
    if data_type == "integer":
        return int(canonical), str(canonical)
    if data_type == "decimal":
        return Decimal(canonical), format(Decimal(canonical).normalize(), "f")
    if data_type == "date":
        return date.fromisoformat(canonical), canonical
    return datetime.fromisoformat(canonical), canonical


_UNBOUNDED = 100  # repeats allowing more than this many times count as unbounded


def _nested_repetition(pattern: str) -> bool:
    """Whether an unbounded repeat contains another one: the shape of patterns whose matching
    time explodes on some inputs (catastrophic backtracking), since Python's re has no timeout."""
    repeats = {_parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.POSSESSIVE_REPEAT}

    def walk(items, inside: bool) -> bool:
        for op, value in items:
            if op in repeats:
                _low, high, body = value
                unbounded = high == _parser.MAXREPEAT or high > _UNBOUNDED
                if unbounded and inside:
                    return True
                if walk(body, inside or unbounded):
                    return True
                continue
            for part in value if isinstance(value, (list, tuple)) else ():
                if isinstance(part, _parser.SubPattern):
                    if walk(part, inside):
                        return True
                elif isinstance(part, list) and any(
                    walk(branch, inside)
                    for branch in part
                    if isinstance(branch, _parser.SubPattern)
                ):
                    return True
        return False

    return walk(_parser.parse(pattern), False)


def _clean_validity(field: Field, params) -> dict:
    if not isinstance(params, dict):
        raise InvalidInput("params_format", gettext_noop("Rule parameters must be an object."))
    unknown = sorted(set(params) - set(VALIDITY_PARAMS))
    if unknown:
        raise InvalidInput(
            "unknown_parameter",
            gettext_noop("A validity rule takes only pattern, min, max and not_future."),
            detail={"unknown": unknown},
        )
    pattern = _text(params.get("pattern"))
    bounds = {key: _text(params.get(key)) for key in ("min", "max")}
    not_future = bool(params.get("not_future"))
    data_type = field.data_type
    if not (pattern or bounds["min"] or bounds["max"] or not_future):
        raise InvalidInput(
            "validity_check_required",
            gettext_noop(
                "Give a pattern, a minimum or maximum, or check that dates are not in the future."
            ),
        )
    cleaned: dict = {}
    if pattern:
        if data_type not in TEXT_TYPES:
            raise InvalidInput(
                "pattern_not_for_type",
                gettext_noop("Patterns apply to text fields only."),
                detail={"data_type": data_type},
            )
        if len(pattern) > MAX_PATTERN:
            raise InvalidInput(
                "pattern_too_long",
                gettext_noop("A pattern has at most 200 characters."),
                detail={"length": len(pattern)},
            )
        try:
            re.compile(pattern)
        except re.error as exc:
            raise InvalidInput(
                "pattern_invalid",
                gettext_noop("The pattern is not a valid regular expression."),
                detail={"error": str(exc)},
            ) from None
        if _nested_repetition(pattern):
            raise InvalidInput(
                "pattern_unsafe",
                gettext_noop(
                    "Repeat inside a repeat, such as (a+)+, can take hours to match; "
                    "write the pattern without it."
                ),
            )
        cleaned["pattern"] = pattern
    if bounds["min"] or bounds["max"]:
        if data_type not in NUMBER_TYPES | TIME_TYPES:
            raise InvalidInput(
                "range_not_for_type",
                gettext_noop("A minimum or maximum applies to number and date fields only."),
                detail={"data_type": data_type},
            )
        values = {}
        for key, text in bounds.items():
            if not text:
                continue
            try:
                values[key], cleaned[key] = _typed(data_type, text)
            except Rejected:
                raise InvalidInput(
                    "range_bound_invalid",
                    gettext_noop("A bound of the range is not a value of the field's type."),
                    detail={"bound": key, "value": text, "data_type": data_type},
                ) from None
        if len(values) == 2 and values["min"] > values["max"]:
            raise InvalidInput(
                "range_empty",
                gettext_noop("The minimum is greater than the maximum."),
                detail={"min": cleaned["min"], "max": cleaned["max"]},
            )
    if not_future:
        if data_type not in TIME_TYPES:
            raise InvalidInput(
                "not_future_not_for_type",
                gettext_noop("Only date fields can be checked for dates in the future."),
                detail={"data_type": data_type},
            )
        cleaned["not_future"] = True
    return cleaned


def _clean_target(resource: Resource, field: Field, target_id, target_field: str):
    target = (
        Resource.objects.filter(
            pk=target_id, status=ResourceStatus.PUBLISHED, format__in=RECORD_FORMATS
        ).first()
        if target_id
        else None
    )
    if target is None:
        raise InvalidInput(
            "reference_not_found",
            gettext_noop("Choose a published table resource to check the values against."),
            detail={"target_resource_id": target_id},
        )
    reference = target.fields.filter(name=target_field).first()
    if reference is None:
        raise InvalidInput(
            "reference_field_not_found",
            gettext_noop("The reference resource has no such field."),
            detail={"target_field": target_field},
        )
    if target.pk == resource.pk and reference.name == field.name:
        raise InvalidInput(
            "reference_to_itself", gettext_noop("A field cannot be checked against itself.")
        )
    if type_family(reference.data_type) != type_family(field.data_type):
        raise InvalidInput(
            "reference_type_mismatch",
            gettext_noop("The two fields hold different kinds of values."),
            detail={"data_type": field.data_type, "target_data_type": reference.data_type},
        )
    return target


def check_rule(resource: Resource, kind: str, values: dict) -> dict:
    """Check an explicit rule as a whole; returns the values to store."""
    if kind not in EXPLICIT_KINDS:
        raise InvalidInput(
            "unknown_rule_kind",
            gettext_noop("A rule checks completeness, validity, uniqueness or consistency."),
            detail={"kind": kind, "allowed": list(EXPLICIT_KINDS)},
        )
    names = values.get("fields") or []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InvalidInput("fields_format", gettext_noop("Fields are a list of field names."))
    names = [n.strip() for n in names]
    by_name = {f.name: f for f in resource.fields.all()}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise InvalidInput(
            "unknown_field",
            gettext_noop("The resource has no such field."),
            detail={"unknown": unknown},
        )
    least, most = FIELD_COUNTS[kind]
    if not least <= len(names) <= most or len(set(names)) != len(names):
        raise InvalidInput(
            "rule_fields",
            gettext_noop("This kind of rule needs a different number of (distinct) fields."),
            detail={"kind": kind, "min": least, "max": most, "given": len(names)},
        )
    params = values.get("params") or {}
    if kind == QualityKind.VALIDITY:
        params = _clean_validity(by_name[names[0]], params)
    elif params:
        raise InvalidInput(
            "params_not_allowed", gettext_noop("Only validity rules take parameters.")
        )
    target, target_field = None, _text(values.get("target_field"))
    if kind == QualityKind.CONSISTENCY:
        target = _clean_target(
            resource, by_name[names[0]], values.get("target_resource_id"), target_field
        )
    elif values.get("target_resource_id") or target_field:
        raise InvalidInput(
            "reference_not_allowed",
            gettext_noop("Only consistency rules name a reference resource."),
        )
    cleaned = check_settings(kind, values)
    cleaned.update(
        fields=names,
        params=params,
        target_resource=target,
        target_field=target_field if target else "",
    )
    return cleaned


def check_settings(kind: str, values: dict) -> dict:
    """Weight, threshold, switch and note: what every rule, derived or not, may change."""
    try:
        weight = int(values.get("weight", 1))
    except (TypeError, ValueError):
        weight = 0
    if not 1 <= weight <= MAX_WEIGHT:
        raise InvalidInput(
            "weight_range",
            gettext_noop("The weight is a whole number from 1 to 100."),
            detail={"weight": values.get("weight")},
        )
    threshold = values.get("threshold")
    if threshold is None or threshold == "":
        threshold = DEFAULT_THRESHOLD[kind]
    try:
        threshold = Decimal(str(threshold)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        threshold = Decimal(-1)
    if not Decimal(0) <= threshold <= Decimal(100):
        raise InvalidInput(
            "threshold_range",
            gettext_noop("The threshold is a percentage from 0 to 100."),
            detail={"threshold": str(values.get("threshold"))},
        )
    note = _text(values.get("note"))
    if len(note) > MAX_NOTE:
        raise InvalidInput("note_too_long", gettext_noop("A note has at most 200 characters."))
    return {
        "weight": weight,
        "threshold": threshold,
        "enabled": bool(values.get("enabled", True)),
        "note": note,
    }
