"""Intake from every channel (信息采集): hotline agents, citizens (portal, API), grid workers,
other systems (idempotent by ``source_system`` + ``external_id``), IoT and Open311; then
placing, classifying and — when the classifier is confident and a department is found —
opening and dispatching without a human."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from smartgov.accounts.scope import has_perm
from smartgov.core.crypto import blind_index, encrypt_field
from smartgov.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDeniedError,
    Throttled,
)
from smartgov.core.sequences import next_daily_number
from smartgov.core.validators import check_phone
from smartgov.governance import attachments as files
from smartgov.governance import config_cache, dispatching
from smartgov.governance.lifecycle_models import CaseSequence
from smartgov.governance.models import (
    Case,
    CaseEvent,
    CaseStatus,
    Category,
    Channel,
    EventKind,
)
from smartgov.governance.permissions import Perm
from smartgov.governance.transitions import (
    MAX_TEXT,
    audit_case,
    clean_text,
    is_staff,
    new_event,
)

NUMBER_PREFIX = "GZ"
PHONE_PURPOSE = "governance.reporter_phone"
DOUBLE_SUBMIT_SECONDS = 120
LOOKUP_MAX_FAILURES = 10
STAFF_CHANNELS = frozenset({Channel.HOTLINE, Channel.GRID})
CITIZEN_CHANNELS = frozenset({Channel.PORTAL, Channel.API})
SYSTEM_CHANNELS = frozenset({Channel.SYSTEM, Channel.IOT, Channel.OPEN311})


def phone_index(phone: str) -> str:
    return blind_index(phone, purpose=PHONE_PURPOSE)


def next_case_number(at: datetime) -> str:
    """GZ + local date + a five-digit daily sequence, safe under concurrent intake."""
    return next_daily_number(
        CaseSequence,
        prefix=NUMBER_PREFIX,
        at=at,
        failure_message=gettext_noop("Could not number the new case; please try again."),
    )


def existing_case(source_system: str, external_id: str) -> Case | None:
    return Case.objects.filter(source_system=source_system, external_id=external_id).first()


def _check_actor(actor, channel: str) -> None:
    if channel in STAFF_CHANNELS:
        if not (is_staff(actor) and has_perm(actor, Perm.INTAKE)):
            raise PermissionDeniedError(
                "permission_denied",
                "You do not have the permission for this action.",
                detail={"permission": str(Perm.INTAKE)},
            )
    elif channel in CITIZEN_CHANNELS:
        if actor is None or not getattr(actor, "is_authenticated", False):
            raise PermissionDeniedError(
                "login_required", "Log in to report a problem.", detail={"channel": channel}
            )
    elif actor is not None and not (
        getattr(actor, "kind", "") == "app" or has_perm(actor, Perm.INTAKE)
    ):
        raise PermissionDeniedError(
            "permission_denied",
            "You do not have the permission for this action.",
            detail={"permission": str(Perm.INTAKE)},
        )


def _coordinates(lon, lat) -> tuple[float | None, float | None]:
    if lon is None and lat is None:
        return None, None
    if lon is None or lat is None:
        raise InvalidInput(
            "coordinates_incomplete", "Give both longitude and latitude, or neither."
        )
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("coordinates_invalid", "The coordinates are not numbers.") from exc
    if not (math.isfinite(lon) and math.isfinite(lat)) or abs(lon) > 180 or abs(lat) > 90:
        raise InvalidInput("coordinates_invalid", "The coordinates are out of range.")
    return lon, lat


def _title_from(description: str) -> str:
    first = description.splitlines()[0].strip()
    return first[:40] + ("…" if len(first) > 40 else "")


def _double_submission(*, channel, description, reporter, recorder, index, at) -> Case | None:
    """The same text from the same person a moment ago (a second click, a retried request)."""
    who = Q(pk__in=[])
    if reporter is not None:
        who |= Q(reporter=reporter)
    if recorder is not None:
        who |= Q(recorded_by=recorder)
    if index:
        who |= Q(reporter_phone_index=index)
    if reporter is None and recorder is None and not index:
        return None
    return (
        Case.objects.filter(who, channel=channel, description=description)
        .filter(created_at__gte=at - timedelta(seconds=DOUBLE_SUBMIT_SECONDS))
        .exclude(status=CaseStatus.CANCELLED)
        .only("id", "number")  # on the indexes gov_case_{phone,reporter,recorder}_time
        .first()
    )


def report_case(
    *,
    actor,
    channel: str,
    description: str,
    title: str = "",
    address: str = "",
    lon: float | None = None,
    lat: float | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    anonymous: bool = False,
    category_code: str | None = None,
    source_system: str = "",
    external_id: str = "",
    attachments=(),
    auto_process: bool = True,
) -> tuple[Case, bool]:
    """Record a reported problem; returns (case, created).

    A repeated ``(source_system, external_id)`` returns the case already recorded with
    ``created=False`` (also when two such requests race). With ``auto_process`` the report is
    classified and, when the classifier's top suggestion reaches the threshold (or a staff
    member chose the category) and a department is responsible for it there, opened and
    dispatched at once; otherwise it waits in the dispatcher's queue with its suggestions.
    """
    if channel not in Channel.values:
        raise InvalidInput(
            "unknown_channel", "Unknown intake channel.", detail={"channel": channel}
        )
    _check_actor(actor, channel)
    description = clean_text(description, field="text", limit=MAX_TEXT)
    title = clean_text(title, field="title", limit=200, required=False) or _title_from(description)
    address = clean_text(address, field="address", limit=255, required=False)
    reporter_name = clean_text(reporter_name, field="reporter_name", limit=64, required=False)
    source_system = clean_text(source_system, field="source_system", limit=64, required=False)
    external_id = clean_text(external_id, field="external_id", limit=128, required=False)
    if external_id:
        source_system = source_system or channel
        existing = existing_case(source_system, external_id)
        if existing is not None:
            return existing, False
    elif channel in (Channel.SYSTEM, Channel.IOT):
        raise InvalidInput(
            "external_id_required",
            "Other systems identify each report with an external id.",
        )
    lon, lat = _coordinates(lon, lat)
    citizen = actor if channel in CITIZEN_CHANNELS and not is_staff(actor) else None
    if citizen is not None:
        reporter_name = reporter_name or getattr(citizen, "display_name", "")
        reporter_phone = reporter_phone or getattr(citizen, "phone", "")
    phone = check_phone(reporter_phone) if (reporter_phone or "").strip() else ""
    if channel == Channel.HOTLINE and not phone and not anonymous:
        raise InvalidInput(
            "caller_phone_required", "Record the caller's phone number (or mark it anonymous)."
        )
    index = phone_index(phone) if phone else ""
    staff_category = is_staff(actor) and has_perm(actor, Perm.INTAKE)
    category = dispatching.get_minor_category(category_code) if category_code else None
    prepared = files.prepare(attachments)
    placement = dispatching.place(address=address, lon=lon, lat=lat)
    at = timezone.now()
    recorder = actor if is_staff(actor) else None
    if not external_id:
        earlier = _double_submission(
            channel=channel,
            description=description,
            reporter=citizen,
            recorder=recorder,
            index=index,
            at=at,
        )
        if earlier is not None:
            raise Conflict(
                "duplicate_submission",
                "This report was already submitted a moment ago.",
                detail={"case": earlier.number, "id": earlier.pk},
            )
    suggestions = []
    if auto_process and not (category is not None and staff_category):
        suggestions = dispatching.suggest(description)
    district = placement.district
    if district is None and placement.street is not None:
        district = placement.street.parent
    # Everything is decided before the case is written: one INSERT with its final state.
    case = Case(
        channel=channel,
        source_system=source_system,
        external_id=external_id,
        reporter=citizen,
        anonymous=bool(anonymous),
        reporter_name=reporter_name,
        reporter_phone_encrypted=encrypt_field(phone) if phone else "",
        reporter_phone_index=index,
        recorded_by=recorder,
        title=title,
        description=description,
        address=address,
        lon=lon,
        lat=lat,
        grid=placement.grid,
        street=placement.street,
        district=district,
        category=category,
        suggestions=[
            {
                "category": s.category_id,
                "code": s.code,
                "name": s.name,
                "score": round(float(s.score), 4),
            }
            for s in suggestions
        ],
        confidence=round(float(suggestions[0].score), 4) if suggestions else None,
        created_at=at,
    )
    events = [
        new_event(
            case,
            EventKind.REPORTED,
            actor=actor,
            to_status=CaseStatus.REPORTED,
            data={"channel": channel, "source_system": source_system, "external_id": external_id},
            at=at,
        )
    ]
    events += _auto_process(
        case,
        actor=actor,
        suggestions=suggestions,
        trusted=staff_category,
        enabled=auto_process,
        at=at,
    )
    case.is_repeat = dispatching.is_repeat(case)
    with transaction.atomic():
        case.number = next_case_number(at)
        if external_id:
            try:
                with transaction.atomic():
                    case.save(force_insert=True)
            except IntegrityError:
                existing = Case.objects.filter(
                    source_system=source_system, external_id=external_id
                ).first()  # the racing intake that won, committed by now
                if existing is not None:
                    return existing, False
                raise
        else:
            case.save(force_insert=True)
        for event in events:
            event.case = case  # the case has its id now
        CaseEvent.objects.bulk_create(events)
        if prepared:
            files.store(case, prepared, actor=actor, event=events[0])
        audit_case(actor, "report", case, None)
    return case, True


def _auto_process(case: Case, *, actor, suggestions, trusted: bool, enabled: bool, at) -> list:
    """Classify and, when confident and routable, open and dispatch without a human: the
    case's fields set and the timeline events after REPORTED returned, unsaved."""
    events: list = []
    if not enabled:
        return events
    chosen = case.category if trusted else None
    if suggestions:
        top = suggestions[0]
        events.append(
            new_event(
                case,
                EventKind.CLASSIFIED,
                actor=None,
                data={"suggestions": case.suggestions, "source": "classifier"},
                at=at,
            )
        )
        if chosen is None and float(top.score) >= dispatching.threshold():
            chosen = (
                case.category
                if case.category is not None and case.category.pk == top.category_id
                else _active_category(top.category_id)
            )
        if case.category is None and chosen is None:
            # Not confident: keep the best guess for the dispatcher, as a suggestion only.
            return events
    if chosen is None:
        return events
    department = dispatching.route(case, chosen)
    if department is None:
        case.category = chosen
        return events
    events.append(
        new_event(
            case,
            EventKind.OPENED,
            actor=None,
            from_status=CaseStatus.REPORTED,
            to_status=CaseStatus.PENDING_DISPATCH,
            data={"auto": True},
            at=at,
        )
    )
    case.status = CaseStatus.PENDING_DISPATCH
    events.append(
        dispatching.dispatch(
            case, actor=None, department=department, category=chosen, at=at, auto=True
        )
    )
    return events


def _active_category(pk: int) -> Category | None:
    category = config_cache.cache.categories().get(pk)
    return category if category is not None and category.active else None


def _lookup_key(number: str) -> str:
    return f"governance:lookup-failures:{number[:32]}"


def case_for_reporter(*, number: str, phone: str) -> Case:
    """The case a reporter follows by its number and the phone given when reporting.

    Wrong phones for one number are counted: after ``LOOKUP_MAX_FAILURES`` in an hour the
    number is locked for the rest of the hour (no guessing a caller's phone)."""
    number = (number or "").strip().upper()
    key = _lookup_key(number)
    if cache.get(key, 0) >= LOOKUP_MAX_FAILURES:
        raise Throttled(
            "lookup_throttled",
            "Too many failed look-ups for this case number; try again later.",
            detail={"retry_after": 3600},
        )
    case = None
    try:
        normalised = check_phone(phone)
    except InvalidInput:
        normalised = ""
    if number and normalised:
        case = (
            Case.objects.filter(number=number, reporter_phone_index=phone_index(normalised))
            .select_related("category", "department", "main_case")
            .first()
        )
    if case is None:
        if cache.add(key, 1, timeout=3600) is False:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=3600)
        raise NotFound("case_not_found", "No case with this number and phone number.")
    return case


def reporter_matches(case: Case, *, actor=None, phone: str = "") -> bool:
    """Whether the actor is the case's reporter, or ``phone`` is the phone they gave."""
    if actor is not None and case.reporter_id is not None and case.reporter_id == actor.pk:
        return True
    if phone and case.reporter_phone_index:
        try:
            return phone_index(check_phone(phone)) == case.reporter_phone_index
        except InvalidInput:
            return False
    return False
