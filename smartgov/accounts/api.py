"""Accounts API: the current user, tokens, accounts, departments, roles, the audit log.

Handlers parse, call one service, and return; scope and permission checks live in services
and in ``accounts.scope``.
"""

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from smartgov.accounts import services
from smartgov.accounts.models import ApiToken, Membership, Role, User
from smartgov.accounts.permissions import Perm
from smartgov.accounts.schemas import (
    CitizenRegister,
    EnterpriseRegister,
    MembershipCreate,
    MembershipRead,
    MeRead,
    PasswordChange,
    RoleCreate,
    RoleRead,
    StaffCreate,
    TokenCreate,
    TokenCreated,
    TokenRead,
    UserRead,
    UserUpdate,
)
from smartgov.accounts.scope import access, require_perm, restrict
from smartgov.core.audit import verify_chain
from smartgov.core.errors import NotFound
from smartgov.core.models import AuditRecord, Department
from smartgov.core.schemas import (
    AuditRecordRead,
    AuditVerifyRead,
    DepartmentCreate,
    DepartmentRead,
    DepartmentUpdate,
)
from smartgov.core.services import get_region
from smartgov.core.tree import subtree_q

router = Router()


# --- The current user and their tokens ----------------------------------------------------


@router.get("/me", response=MeRead, tags=["me"], summary="The current user")
def read_me(request: HttpRequest):
    return request.auth


@router.post("/me/password", response={204: None}, tags=["me"], summary="Change my password")
def change_my_password(request: HttpRequest, payload: PasswordChange):
    services.change_password(
        user=request.auth, old_password=payload.old_password, new_password=payload.new_password
    )
    return Status(204, None)


@router.get("/me/tokens", response=list[TokenRead], tags=["me"], summary="My API tokens")
def list_my_tokens(request: HttpRequest):
    return list(ApiToken.objects.filter(user=request.auth))


@router.post(
    "/me/tokens",
    response={201: TokenCreated},
    tags=["me"],
    summary="Create an API token (the secret is returned once)",
)
def create_my_token(request: HttpRequest, payload: TokenCreate):
    token, secret = services.create_token(
        actor=request.auth, name=payload.name, expires_at=payload.expires_at
    )
    # TokenCreated requires the secret, which the row does not hold: read the row, then add it.
    return Status(201, TokenCreated(**TokenRead.from_orm(token).model_dump(), token=secret))


@router.delete(
    "/me/tokens/{token_id}", response={204: None}, tags=["me"], summary="Revoke an API token"
)
def revoke_my_token(request: HttpRequest, token_id: int):
    services.revoke_token(actor=request.auth, token_id=token_id)
    return Status(204, None)


# --- Registration (anonymous) ----------------------------------------------------------


@router.post(
    "/register/citizen",
    response={201: UserRead},
    auth=None,
    tags=["accounts"],
    summary="Register a citizen account",
)
def register_citizen(request: HttpRequest, payload: CitizenRegister):
    return Status(201, services.create_citizen(actor=None, **payload.dict()))


@router.post(
    "/register/enterprise",
    response={201: UserRead},
    auth=None,
    tags=["accounts"],
    summary="Register an enterprise account",
)
def register_enterprise(request: HttpRequest, payload: EnterpriseRegister):
    return Status(201, services.create_enterprise(actor=None, **payload.dict()))


# --- Accounts (administrators) -------------------------------------------------------------


class UserFilter(Schema):
    kind: str | None = None
    q: str | None = None
    department_id: int | None = None
    active: bool | None = None


@router.get("/users", response=list[UserRead], tags=["accounts"], summary="List accounts")
@paginate(PageNumberPagination, page_size=50)
def list_users(request: HttpRequest, filters: Query[UserFilter]):
    require_perm(request.auth, Perm.VIEW_USER)
    queryset = restrict(User.objects.all(), request.auth, Perm.VIEW_USER)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.q:
        queryset = queryset.filter(username__icontains=filters.q) | queryset.filter(
            display_name__icontains=filters.q
        )
    if filters.department_id:
        queryset = queryset.filter(memberships__department_id=filters.department_id).distinct()
    if filters.active is not None:
        queryset = queryset.filter(is_active=filters.active)
    return queryset.order_by("username")


@router.get("/users/{user_id}", response=UserRead, tags=["accounts"], summary="One account")
def read_user(request: HttpRequest, user_id: int):
    return access(User.objects.all(), request.auth, Perm.VIEW_USER, pk=user_id)


@router.post(
    "/users", response={201: UserRead}, tags=["accounts"], summary="Create a staff account"
)
def create_staff_user(request: HttpRequest, payload: StaffCreate):
    return Status(201, services.create_staff(actor=request.auth, **payload.dict()))


@router.patch(
    "/users/{user_id}",
    response=UserRead,
    tags=["accounts"],
    summary="Edit an account's contact details",
)
def update_user(request: HttpRequest, user_id: int, payload: UserUpdate):
    return services.update_user(
        actor=request.auth, user_id=user_id, changes=payload.dict(exclude_unset=True)
    )


@router.post("/users/{user_id}/deactivate", response=UserRead, tags=["accounts"])
def deactivate_user(request: HttpRequest, user_id: int):
    return services.deactivate_user(actor=request.auth, user_id=user_id)


@router.post("/users/{user_id}/unlock", response=UserRead, tags=["accounts"])
def unlock_user(request: HttpRequest, user_id: int):
    return services.unlock_user(actor=request.auth, user_id=user_id)


@router.get("/users/{user_id}/memberships", response=list[MembershipRead], tags=["accounts"])
def list_user_memberships(request: HttpRequest, user_id: int):
    user = access(User.objects.all(), request.auth, Perm.VIEW_USER, pk=user_id)
    return list(user.memberships.select_related("department", "role"))


@router.post(
    "/memberships",
    response={201: MembershipRead},
    tags=["accounts"],
    summary="Give a staff member a role in a department",
)
def create_membership(request: HttpRequest, payload: MembershipCreate):
    membership = services.assign_role(
        actor=request.auth,
        user_id=payload.user_id,
        department_id=payload.department_id,
        role_code=payload.role,
        scope=payload.scope,
        title=payload.title,
    )
    return Status(201, membership)


@router.delete("/memberships/{membership_id}", response={204: None}, tags=["accounts"])
def delete_membership(request: HttpRequest, membership_id: int):
    services.remove_membership(actor=request.auth, membership_id=membership_id)
    return Status(204, None)


@router.get("/roles", response=list[RoleRead], tags=["accounts"], summary="Roles")
def list_roles(request: HttpRequest):
    return list(Role.objects.all())


@router.post("/roles", response={201: RoleRead}, tags=["accounts"], summary="Define a role")
def create_role(request: HttpRequest, payload: RoleCreate):
    return Status(201, services.create_role(actor=request.auth, **payload.dict()))


# --- Departments ------------------------------------------------------------------------


class DepartmentFilter(Schema):
    region: str | None = None
    kind: str | None = None
    parent_id: int | None = None
    q: str | None = None


@router.get(
    "/departments",
    response=list[DepartmentRead],
    tags=["departments"],
    summary="The department directory",
)
@paginate(PageNumberPagination, page_size=100)
def list_departments(request: HttpRequest, filters: Query[DepartmentFilter]):
    """The organisation directory is public to every signed-in user; filter by region
    subtree, kind, direct parent or name."""
    queryset = Department.objects.select_related("region")
    if filters.region:
        queryset = queryset.filter(subtree_q(get_region(filters.region).path, field="region__path"))
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.parent_id:
        queryset = queryset.filter(parent_id=filters.parent_id)
    if filters.q:
        queryset = queryset.filter(name__contains=filters.q)
    return queryset.order_by("path")


@router.get("/departments/{department_id}", response=DepartmentRead, tags=["departments"])
def read_department(request: HttpRequest, department_id: int):
    department = Department.objects.select_related("region").filter(pk=department_id).first()
    if department is None:
        raise NotFound("not_found", "No such department.")
    return department


@router.get(
    "/departments/{department_id}/members",
    response=list[MembershipRead],
    tags=["departments"],
    summary="Staff of a department (within your scope)",
)
def list_department_members(request: HttpRequest, department_id: int):
    department = access(Department.objects.all(), request.auth, Perm.VIEW_USER, pk=department_id)
    return list(
        Membership.objects.filter(department=department).select_related(
            "department", "role", "user"
        )
    )


@router.post("/departments", response={201: DepartmentRead}, tags=["departments"])
def create_department(request: HttpRequest, payload: DepartmentCreate):
    return Status(201, services.create_department(actor=request.auth, **payload.dict()))


@router.patch("/departments/{department_id}", response=DepartmentRead, tags=["departments"])
def update_department(request: HttpRequest, department_id: int, payload: DepartmentUpdate):
    return services.update_department(
        actor=request.auth, department_id=department_id, changes=payload.dict(exclude_unset=True)
    )


# --- Audit log (auditor only, read-only) --------------------------------------------------


class AuditFilter(Schema):
    action: str | None = None
    actor_id: int | None = None
    object_type: str | None = None
    object_id: str | None = None


@router.get(
    "/audit", response=list[AuditRecordRead], tags=["audit"], summary="Audit records, newest first"
)
@paginate(PageNumberPagination, page_size=50)
def list_audit(request: HttpRequest, filters: Query[AuditFilter]):
    require_perm(request.auth, Perm.VIEW_AUDIT)
    queryset = AuditRecord.objects.all()
    for field in ("action", "actor_id", "object_type", "object_id"):
        value = getattr(filters, field)
        if value not in (None, ""):
            queryset = queryset.filter(**{field: value})
    return queryset.order_by("-seq")


@router.get(
    "/audit/verify", response=AuditVerifyRead, tags=["audit"], summary="Verify the hash chain"
)
def verify_audit(request: HttpRequest):
    require_perm(request.auth, Perm.VIEW_AUDIT)
    result = verify_chain()
    return AuditVerifyRead(
        ok=result.ok,
        checked=result.checked,
        last_seq=result.last_seq,
        broken_seq=result.broken.seq if result.broken else None,
        reason=result.broken.reason if result.broken else None,
    )
