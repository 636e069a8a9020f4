"""API of the opendata app under /api/v1/opendata/: a developer's keys and applications, and the
decisions of providers. (The public catalog is the CKAN Action API under /api/3/action/.)
Handlers parse, call one service or selector, and return."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from smartgov.accounts.scope import has_perm, restrict
from smartgov.opendata import selectors, services
from smartgov.opendata.models import ApplicationStatus, DeveloperKey, OpenApplication
from smartgov.opendata.permissions import Perm
from smartgov.opendata.schemas import (
    ApplicationCreate,
    ApplicationRead,
    DecisionIn,
    KeyCreate,
    KeyCreated,
    KeyRead,
)

router = Router(tags=["opendata"])


def _application(application: OpenApplication) -> dict:
    return {
        "id": application.pk,
        "package": selectors.package_name(application.resource),
        "resource_name": application.resource.name,
        "applicant": application.applicant.display_name,
        "purpose": application.purpose,
        "status": application.status,
        "created_at": application.created_at,
        "decided_at": application.decided_at,
        "comment": application.comment,
    }


@router.get("/opendata/keys", response=list[KeyRead], summary="My open-API keys")
def list_keys(request: HttpRequest):
    return list(DeveloperKey.objects.filter(user=request.auth))


@router.post(
    "/opendata/keys",
    response={201: KeyCreated},
    summary="Issue an open-API key (the secret is in this answer only)",
)
def create_key(request: HttpRequest, payload: KeyCreate):
    key, secret = services.create_key(
        actor=request.auth, name=payload.name, rate_per_minute=payload.rate_per_minute
    )
    return Status(201, {**KeyRead.model_validate(key).model_dump(), "secret": secret})


@router.post("/opendata/keys/{key_id}/revoke", response=KeyRead, summary="Revoke a key")
def revoke_key(request: HttpRequest, key_id: int):
    return services.revoke_key(actor=request.auth, key_id=key_id)


@router.get(
    "/opendata/applications",
    response=list[ApplicationRead],
    summary="My applications; with pending=true, those waiting for my decision",
)
def list_applications(request: HttpRequest, pending: bool = False):
    queryset = OpenApplication.objects.select_related("resource", "applicant")
    if pending:
        if not has_perm(request.auth, Perm.DECIDE_APPLICATION):
            return []
        queryset = restrict(queryset, request.auth, Perm.DECIDE_APPLICATION).filter(
            status=ApplicationStatus.PENDING
        )
    else:
        queryset = queryset.filter(applicant=request.auth)
    return [_application(a) for a in queryset[:500]]


@router.post(
    "/opendata/applications",
    response={201: ApplicationRead},
    summary="Apply to use a conditionally open resource",
)
def create_application(request: HttpRequest, payload: ApplicationCreate):
    resource = selectors.get_open_resource(payload.package)
    application = services.apply_for_resource(
        actor=request.auth, resource_id=resource.pk, purpose=payload.purpose
    )
    return Status(201, _application(application))


@router.post(
    "/opendata/applications/{application_id}/decide",
    response=ApplicationRead,
    summary="Approve or reject an application (provider department or data bureau)",
)
def decide_application(request: HttpRequest, application_id: int, payload: DecisionIn):
    application = services.decide_application(
        actor=request.auth,
        application_id=application_id,
        approve=payload.approve,
        comment=payload.comment,
    )
    return _application(application)
