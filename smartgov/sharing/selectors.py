"""Read queries of data sharing: what each actor may see of apps, requests, steps, grants and
objections. Every list and detail goes through these, so a list never shows what a detail
would refuse.

Who sees what:

* consumers (``sharing.consume``) — their departments' apps, requests and grants;
* providers (``sharing.provide``) — requests, grants and objections on their resources;
* the data bureau (``sharing.approve_bureau``, city-wide) — everything.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from smartgov.accounts.scope import has_city_scope, has_perm, restrict, scope_filter
from smartgov.catalog.models import Grade, Resource
from smartgov.core.errors import NotFound, PermissionDeniedError
from smartgov.core.models import Department
from smartgov.sharing.models import (
    AccessRequest,
    ApprovalStep,
    ConsumerApp,
    Grant,
    Objection,
    StepStage,
    StepStatus,
)
from smartgov.sharing.permissions import Perm

GRADED = frozenset({Grade.CORE, Grade.IMPORTANT})
NOT_FOUND = "No such object, or it is outside your data scope."


def _require_any(actor, *perms) -> None:
    if getattr(actor, "kind", "") != "staff" or not any(has_perm(actor, p) for p in perms):
        raise PermissionDeniedError(
            "permission_denied",
            "You do not have the permission for this action.",
            detail={"permission": [str(p) for p in perms]},
        )


def is_bureau(actor) -> bool:
    return has_city_scope(actor, Perm.APPROVE_BUREAU)


def consumer_departments(actor) -> QuerySet[Department]:
    """Departments whose apps and requests the actor manages."""
    return restrict(Department.objects.all(), actor, Perm.CONSUME)


def provider_departments(actor) -> QuerySet[Department]:
    """Departments whose resources' requests the actor decides."""
    return restrict(Department.objects.all(), actor, Perm.PROVIDE)


def provided_resources(actor) -> QuerySet[Resource]:
    return restrict(Resource.objects.all(), actor, Perm.PROVIDE)


def _either(model, actor, *, consumer: str, provider_resource: str) -> Q | None:
    """Rows of the actor's consumer departments or on the actor's provided resources (None:
    every row)."""
    if is_bureau(actor):
        return None
    conditions = Q(pk__in=[])
    consumed = scope_filter(model, actor, Perm.CONSUME) if consumer else None
    if consumer and consumed is None:
        return None
    if consumed is not None:
        conditions |= consumed
    if has_perm(actor, Perm.PROVIDE):
        provided = scope_filter(Resource, actor, Perm.PROVIDE)
        if provided is None:
            return None
        conditions |= Q(**{f"{provider_resource}__in": Resource.objects.filter(provided)})
    return conditions


# --- Apps ---------------------------------------------------------------------------------


def visible_apps(actor) -> QuerySet[ConsumerApp]:
    _require_any(actor, Perm.CONSUME, Perm.APPROVE_BUREAU)
    queryset = ConsumerApp.objects.select_related("department")
    return queryset if is_bureau(actor) else restrict(queryset, actor, Perm.CONSUME)


def get_app(actor, app_id: int) -> ConsumerApp:
    app = visible_apps(actor).filter(pk=app_id).first()
    if app is None:
        raise NotFound("not_found", NOT_FOUND)
    return app


# --- Requests and steps -------------------------------------------------------------------


def visible_requests(actor) -> QuerySet[AccessRequest]:
    _require_any(actor, Perm.CONSUME, Perm.PROVIDE, Perm.APPROVE_BUREAU)
    queryset = AccessRequest.objects.select_related(
        "app", "consumer", "resource", "resource__provider", "submitted_by"
    )
    condition = _either(AccessRequest, actor, consumer="consumer", provider_resource="resource")
    return queryset if condition is None else queryset.filter(condition)


def get_request(actor, request_id: int) -> AccessRequest:
    request = visible_requests(actor).filter(pk=request_id).first()
    if request is None:
        raise NotFound("not_found", NOT_FOUND)
    return request


def own_requests(actor) -> QuerySet[AccessRequest]:
    """Requests of the actor's consumer departments (the "my requests" list)."""
    _require_any(actor, Perm.CONSUME)
    return restrict(
        AccessRequest.objects.select_related("app", "consumer", "resource__provider"),
        actor,
        Perm.CONSUME,
    )


def decidable_steps(actor) -> QuerySet[ApprovalStep]:
    """Pending steps the actor may decide: provider steps of their provider departments, and
    the data bureau's steps for the bureau."""
    queryset = ApprovalStep.objects.select_related(
        "request", "request__app", "request__consumer", "request__resource__provider", "department"
    ).filter(status=StepStatus.PENDING)
    if getattr(actor, "kind", "") != "staff":
        return queryset.none()
    condition = Q(pk__in=[])
    if has_perm(actor, Perm.PROVIDE):
        condition |= Q(stage=StepStage.PROVIDER, department__in=provider_departments(actor))
    if is_bureau(actor):
        condition |= Q(stage=StepStage.BUREAU)
    return queryset.filter(condition)


def steps_of(request: AccessRequest) -> list[ApprovalStep]:
    return list(request.steps.select_related("department", "decided_by").order_by("position"))


def resource_needs_bureau(resource: Resource) -> bool:
    """A resource is graded by its highest field grade (as the catalog's grade filter reads
    it): core or important data goes to the data bureau as well."""
    return resource.fields.filter(grade__in=GRADED).exists()


# --- Grants -------------------------------------------------------------------------------


def visible_grants(actor) -> QuerySet[Grant]:
    _require_any(actor, Perm.CONSUME, Perm.PROVIDE, Perm.APPROVE_BUREAU)
    queryset = Grant.objects.select_related("app", "consumer", "resource", "resource__provider")
    condition = _either(Grant, actor, consumer="consumer", provider_resource="resource")
    return queryset if condition is None else queryset.filter(condition)


def get_grant(actor, grant_id: int) -> Grant:
    grant = visible_grants(actor).filter(pk=grant_id).first()
    if grant is None:
        raise NotFound("not_found", NOT_FOUND)
    return grant


# --- Objections ---------------------------------------------------------------------------


def visible_objections(actor) -> QuerySet[Objection]:
    """The objector's own (a citizen's, an enterprise's, a consumer department's) and, for
    providers, those on their resources; the data bureau sees all."""
    queryset = Objection.objects.select_related(
        "resource", "provider", "objector", "objector_department", "responded_by"
    )
    kind = getattr(actor, "kind", "")
    if kind in ("citizen", "enterprise"):
        return queryset.filter(objector=actor)
    _require_any(actor, Perm.CONSUME, Perm.PROVIDE, Perm.APPROVE_BUREAU)
    if is_bureau(actor):
        return queryset
    condition = Q(objector=actor)
    if has_perm(actor, Perm.CONSUME):
        condition |= Q(objector_department__in=consumer_departments(actor))
    if has_perm(actor, Perm.PROVIDE):
        provided = scope_filter(Objection, actor, Perm.PROVIDE)
        if provided is None:
            return queryset
        condition |= provided
    return queryset.filter(condition)


def get_objection(actor, objection_id: int) -> Objection:
    objection = visible_objections(actor).filter(pk=objection_id).first()
    if objection is None:
        raise NotFound("not_found", NOT_FOUND)
    return objection


def answerable_objections(actor) -> QuerySet[Objection]:
    """Objections the actor may answer as the provider (or the data bureau)."""
    queryset = Objection.objects.select_related("resource", "provider", "objector")
    if getattr(actor, "kind", "") != "staff" or not has_perm(actor, Perm.PROVIDE):
        return queryset.none()
    return restrict(queryset, actor, Perm.PROVIDE)
