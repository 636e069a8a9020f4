"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) at /open311/v2/.

- ``discovery.{fmt}`` — the service discovery document
- ``services.{fmt}`` — one service per active minor category (service_code = category code,
  group = its major class); part (部件) categories have metadata: an optional facility code
- ``services/{code}.{fmt}`` — the service definition (its attributes)
- ``requests.{fmt}`` — GET: service requests (filters service_request_id, service_code,
  start_date, end_date, status; by default the last 90 days, at most 1000, newest first);
  POST (form-encoded, ``api_key`` of an Open311 client): create one through
  ``services.report_case(channel="open311", …)``
- ``requests/{id}.{fmt}`` — one request; ``tokens/{token}.{fmt}`` — the id for a token

``fmt`` is ``json`` or ``xml`` (XML is the spec's required format). Errors are a list of
``{code, description}`` with the HTTP status 400, 403 or 404. The service_request_id is the
case number; our statuses map to ``open`` / ``closed`` (closed, cancelled, merged). Personal
complaints (12345 诉求) never appear in the public list, and no reporter's name or phone is
ever returned.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from smartgov.core.errors import SmartgovError
from smartgov.governance.models import (
    Case,
    CaseAttachment,
    CaseStatus,
    Category,
    CategoryKind,
    Channel,
)
from smartgov.governance.open311_clients import client_for_key

SHANGHAI = ZoneInfo("Asia/Shanghai")
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
MAX_REQUESTS = 1000
DEFAULT_DAYS = 90
MAX_DESCRIPTION = 4000
CLOSED_STATUSES = (CaseStatus.CLOSED, CaseStatus.CANCELLED, CaseStatus.MERGED)
SOURCE_SYSTEM = "open311"
FACILITY_ATTRIBUTE = "facility_code"

# XML: the element name of a list's items, by the list's name.
_ITEM_NAMES = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


def jurisdiction() -> str:
    return getattr(settings, "GOVERNANCE_OPEN311_JURISDICTION", "hangzhou.gov.cn")


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# --- rendering --------------------------------------------------------------------------


def _xml_value(parent: ET.Element, name: str, value) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_value(element, key, item)
    elif isinstance(value, list):
        item_name = _ITEM_NAMES.get(name, "item")
        for item in value:
            _xml_value(element, item_name, item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def render(data, fmt: str, *, root: str, item: str | None = None, status: int = 200):
    """JSON as the spec shows it, or XML with ``root`` holding one ``item`` per list entry."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    else:
        element = ET.Element(root)
        if isinstance(data, list):
            for entry in data:
                _xml_value(element, item or "item", entry)
        else:
            for key, value in data.items():
                _xml_value(element, key, value)
        body = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return HttpResponse(body, status=status, content_type=FORMATS[fmt])


def _error_response(error: Open311Error, fmt: str) -> HttpResponse:
    data = [{"code": error.status, "description": error.description}]
    return render(data, fmt, root="errors", item="error", status=error.status)


def _endpoint(view):
    """Check the format and the jurisdiction; turn errors into the spec's error list."""

    def wrapper(request: HttpRequest, fmt: str, **kwargs):
        if fmt not in FORMATS:
            return _error_response(Open311Error(400, "Format must be json or xml."), "json")
        try:
            given = request.POST.get("jurisdiction_id") or request.GET.get("jurisdiction_id")
            if given and given != jurisdiction():
                raise Open311Error(404, f"Unknown jurisdiction_id: {given[:64]}")
            return view(request, fmt, **kwargs)
        except Open311Error as error:
            return _error_response(error, fmt)
        except SmartgovError as exc:
            status = exc.status if exc.status in (400, 403, 404) else 400
            return _error_response(Open311Error(status, f"{exc.code}: {exc.message}"), fmt)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return csrf_exempt(wrapper)


def _time(value: datetime | None) -> str | None:
    return value.astimezone(SHANGHAI).isoformat(timespec="seconds") if value else None


# --- services -----------------------------------------------------------------------------


def _active_services():
    return (
        Category.objects.filter(active=True, parent__isnull=False, parent__active=True)
        .select_related("parent")
        .order_by("sort_order", "code")
    )


def _has_metadata(category: Category) -> bool:
    return category.kind == CategoryKind.PART


def _limit_text(category: Category) -> str:
    if not category.time_limit:
        return ""
    unit = "个工作小时" if category.time_limit_unit == "hours" else "个工作日"
    return f"处理时限{category.time_limit}{unit}。"


def service_entry(category: Category) -> dict:
    description = " ".join(
        part for part in (category.opening_condition.strip(), _limit_text(category)) if part
    )
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": description or category.name,
        "metadata": _has_metadata(category),
        "type": "realtime",
        "keywords": ",".join(category.keywords.replace("，", " ").replace(",", " ").split()),
        "group": category.parent.name if category.parent else "",
    }


@_endpoint
def discovery(request: HttpRequest, fmt: str):
    """The service discovery document."""
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    base = base.rsplit("/", 1)[0] + "/"
    data = {
        "changeset": "2026-01-01T00:00:00+08:00",
        "contact": getattr(settings, "GOVERNANCE_OPEN311_CONTACT", "12345 热线"),
        "key_service": "api_key 由城市运行管理中心发放（smartgov governance open311-client）。",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-01-01T00:00:00+08:00",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(data, fmt, root="discovery")


@_endpoint
def services_list(request: HttpRequest, fmt: str):
    """GET services: every active minor category."""
    data = [service_entry(category) for category in _active_services()]
    return render(data, fmt, root="services", item="service")


def _service(code: str) -> Category:
    category = _active_services().filter(code=code).first()
    if category is None:
        raise Open311Error(404, f"No service with service_code {code[:32]}.")
    return category


@_endpoint
def service_definition(request: HttpRequest, fmt: str, code: str):
    """GET a service definition: its attributes (a facility code for part categories)."""
    category = _service(code)
    attributes = []
    if _has_metadata(category):
        attributes.append(
            {
                "variable": True,
                "code": FACILITY_ATTRIBUTE,
                "datatype": "string",
                "required": False,
                "datatype_description": "部件编号（GB/T 30428 部件标识码），如有",
                "order": 1,
                "description": "部件编号",
            }
        )
    data = {"service_code": category.code, "attributes": attributes}
    return render(data, fmt, root="service_definition")


# --- requests -----------------------------------------------------------------------------


def _public_cases():
    photos = Prefetch(
        "attachments",
        queryset=CaseAttachment.objects.filter(content_type__startswith="image/").order_by("id"),
        to_attr="photos",
    )
    return (
        Case.objects.select_related("category", "department")
        .prefetch_related(photos)
        .exclude(status=CaseStatus.CANCELLED)
        .exclude(category__kind=CategoryKind.COMPLAINT)
    )


def request_entry(case: Case, request: HttpRequest) -> dict:
    closed = case.status in CLOSED_STATUSES
    photos = getattr(case, "photos", None)
    if photos is None:
        photos = list(case.attachments.filter(content_type__startswith="image/").order_by("id"))
    media = photos[0] if photos else None
    notes = ""
    if case.status == CaseStatus.MERGED and case.main_case_id:
        notes = "已合并到其他工单处理。"
    elif closed:
        notes = case.reply[:500]
    return {
        "service_request_id": case.number,
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": case.category.name if case.category else "",
        "service_code": case.category.code if case.category else "",
        "description": case.description[:MAX_DESCRIPTION],
        "agency_responsible": case.department.name if case.department else "",
        "service_notice": "",
        "requested_datetime": _time(case.created_at),
        "updated_datetime": _time(case.updated_at),
        "expected_datetime": _time(case.due_at),
        "address": case.address,
        "address_id": "",
        "zipcode": "",
        "lat": case.lat,
        "long": case.lon,
        "media_url": request.build_absolute_uri(media.file.url) if media else "",
    }


def _parse_time(value: str, name: str) -> datetime:
    moment = parse_datetime(value.replace(" ", "+")) if "T" in value else None
    if moment is None:
        day = parse_date(value) if len(value) == 10 else None
        if day is None:
            raise Open311Error(400, f"{name} must be a W3C date-time, e.g. 2026-03-01T00:00:00Z.")
        moment = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
    if timezone.is_naive(moment):
        raise Open311Error(400, f"{name} must carry a time zone (Z or +08:00).")
    return moment


def _requests_query(params) -> list[Case]:
    ids = [part.strip() for part in params.get("service_request_id", "").split(",") if part]
    queryset = _public_cases()
    if ids:
        if len(ids) > MAX_REQUESTS:
            raise Open311Error(400, f"At most {MAX_REQUESTS} service_request_id values.")
        return list(queryset.filter(number__in=ids).order_by("-created_at")[:MAX_REQUESTS])
    start = _parse_time(params["start_date"], "start_date") if params.get("start_date") else None
    end = _parse_time(params["end_date"], "end_date") if params.get("end_date") else None
    if start and end and end < start:
        raise Open311Error(400, "end_date is before start_date.")
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - timedelta(days=DEFAULT_DAYS)
    if end is None:
        end = start + timedelta(days=DEFAULT_DAYS)
    if end - start > timedelta(days=DEFAULT_DAYS):
        raise Open311Error(400, f"start_date and end_date may span at most {DEFAULT_DAYS} days.")
    queryset = queryset.filter(created_at__gte=start, created_at__lte=end)
    codes = [part.strip() for part in params.get("service_code", "").split(",") if part.strip()]
    if codes:
        queryset = queryset.filter(category__code__in=codes)
    statuses = {part.strip() for part in params.get("status", "").split(",") if part.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status must be open, closed or both (comma-separated).")
    if statuses == {"open"}:
        queryset = queryset.exclude(status__in=CLOSED_STATUSES)
    elif statuses == {"closed"}:
        queryset = queryset.filter(status__in=CLOSED_STATUSES)
    return list(queryset.order_by("-created_at", "-id")[:MAX_REQUESTS])


def _float(value: str, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"{name} must be a number.") from None
    if number != number or abs(number) > 180:
        raise Open311Error(400, f"{name} is out of range.")
    return number


def _create_request(request: HttpRequest) -> list[dict]:
    params = request.POST
    client = client_for_key(params.get("api_key"))
    if client is None:
        raise Open311Error(403, "api_key is missing, unknown or revoked.")
    code = params.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code is required.")
    category = _service(code)
    lat = _float(params.get("lat"), "lat")
    lon = _float(params.get("long"), "long")
    address = params.get("address_string", "").strip()
    if (lat is None) != (lon is None):
        raise Open311Error(400, "lat and long go together.")
    if lat is None and not address:
        raise Open311Error(400, "A location is required: lat and long, or address_string.")
    if len(address) > 255:
        raise Open311Error(400, "address_string may have at most 255 characters.")
    description = params.get("description", "").strip()
    if not description:
        raise Open311Error(400, "description is required.")
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description may have at most {MAX_DESCRIPTION} characters.")
    extra = []
    facility = params.get(f"attribute[{FACILITY_ATTRIBUTE}]", "").strip()
    if facility:
        extra.append(f"部件编号：{facility[:64]}")
    media_url = params.get("media_url", "").strip()
    if media_url:
        if not media_url.startswith(("https://", "http://")) or len(media_url) > 500:
            raise Open311Error(400, "media_url must be an http(s) URL.")
        extra.append(f"图片：{media_url}")
    if extra:
        description = description + "\n" + "\n".join(extra)
    name = (params.get("last_name", "").strip() + params.get("first_name", "").strip())[:64]
    phone = params.get("phone", "").strip()
    token = uuid.uuid4().hex
    from smartgov.governance import services  # the lifecycle's intake (L)

    case, _ = services.report_case(
        actor=None,
        channel=Channel.OPEN311,
        description=description,
        address=address,
        lon=lon,
        lat=lat,
        reporter_name=name,
        reporter_phone=phone,
        anonymous=not (name or phone),
        category_code=category.code,
        source_system=f"{SOURCE_SYSTEM}:{client.key_prefix}",
        external_id=token,
    )
    return [
        {
            "service_request_id": case.number,
            "token": token,
            "service_notice": "",
            "account_id": "",
        }
    ]


@_endpoint
def requests_view(request: HttpRequest, fmt: str):
    """GET service requests, or POST one (with api_key)."""
    if request.method == "POST":
        data = _create_request(request)
        return render(data, fmt, root="service_requests", item="request")
    if request.method != "GET":
        raise Open311Error(400, "Use GET or POST.")
    cases = _requests_query(request.GET)
    data = [request_entry(case, request) for case in cases]
    return render(data, fmt, root="service_requests", item="request")


@_endpoint
def request_detail(request: HttpRequest, fmt: str, request_id: str):
    """GET one service request by its id (the case number)."""
    case = _public_cases().filter(number=request_id).first()
    if case is None:
        raise Open311Error(404, f"No service request {request_id[:32]}.")
    return render([request_entry(case, request)], fmt, root="service_requests", item="request")


@_endpoint
def token_detail(request: HttpRequest, fmt: str, token: str):
    """GET the service_request_id of a token returned by POST requests."""
    case = (
        Case.objects.filter(
            Q(source_system__startswith=f"{SOURCE_SYSTEM}:"), external_id=token[:128]
        )
        .only("number")
        .first()
    )
    if case is None:
        raise Open311Error(404, "No service request for this token.")
    data = [{"service_request_id": case.number, "token": token}]
    return render(data, fmt, root="service_requests", item="request")
