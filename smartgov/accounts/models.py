"""Users of every kind, roles, department memberships with data scopes, API tokens."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from smartgov.core.crypto import decrypt_field
from smartgov.core.models import Department


class UserKind(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    ENTERPRISE = "enterprise", _("Enterprise")
    STAFF = "staff", _("Staff")
    APP = "app", _("Application")


class UserManager(BaseUserManager):
    """Creation goes through accounts.services; this manager only serves Django's auth."""

    def get_by_natural_key(self, username):
        return self.get(username__iexact=username)


class User(AbstractBaseUser):
    """One account: a citizen, an enterprise, a staff member or a machine client."""

    username = models.CharField(_("login name"), max_length=150, unique=True)
    kind = models.CharField(_("account kind"), max_length=16, choices=UserKind.choices)
    display_name = models.CharField(
        _("name"), max_length=128, help_text=_("Real name, or the enterprise's name.")
    )
    # Citizen identity: the ID is stored SM4-encrypted; the blind index keeps it unique.
    citizen_id_encrypted = models.TextField(blank=True, editable=False)
    citizen_id_index = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    citizen_id_masked = models.CharField(_("citizen ID"), max_length=18, blank=True)
    # Enterprise identity.
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, null=True, blank=True, unique=True
    )
    legal_representative = models.CharField(_("legal representative"), max_length=64, blank=True)
    phone = models.CharField(_("mobile number"), max_length=11, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    failed_logins = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["display_name", "kind"]

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return f"{self.display_name} ({self.username})" if self.display_name else self.username

    @property
    def citizen_id(self) -> str:
        """The clear citizen ID (decrypted on demand; never logged)."""
        return decrypt_field(self.citizen_id_encrypted)

    @property
    def is_staff_user(self) -> bool:
        return self.kind == UserKind.STAFF

    def is_locked(self, now=None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


# Fields the audit log never copies.
User._meta.get_field("password").audit_exclude = True
User._meta.get_field("citizen_id_encrypted").audit_exclude = True
User._meta.get_field("citizen_id_index").audit_exclude = True


class Role(models.Model):
    """A named set of permission codes; built-in roles are defined in code, custom ones here."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=64)
    description = models.CharField(_("description"), max_length=255, blank=True)
    permissions = models.JSONField(_("permissions"), default=list)
    builtin = models.BooleanField(_("built-in"), default=False, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        # Built-in role names are English msgids; custom roles are named by administrators.
        return gettext(self.name) if self.builtin else self.name


class Scope(models.TextChoices):
    OWN_DEPARTMENT = "department", _("Own department")
    DEPARTMENT_SUBTREE = "department_tree", _("Department and its sub-departments")
    REGION_SUBTREE = "region_tree", _("Department's region and sub-regions")
    CITY = "city", _("Whole city")


class Membership(models.Model):
    """A staff member holds a role in a department, applying within a data scope."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="memberships")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="memberships")
    scope = models.CharField(_("data scope"), max_length=32, choices=Scope.choices)
    title = models.CharField(_("job title"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["department__path", "role__code"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.department} · {self.role}"


class ApiToken(models.Model):
    """A personal API token: only its hash is stored; the secret is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=64)
    prefix = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now


ApiToken._meta.get_field("token_hash").audit_exclude = True


# Where rows sit in the organisation, for accounts.scope.restrict.
def _install_scope_fields() -> None:
    from smartgov.accounts.scope import ScopeFields
    from smartgov.core.models import Region

    Department.scope_fields = ScopeFields(department="", region="region")
    Region.scope_fields = ScopeFields(region="")
    User.scope_fields = ScopeFields(department="memberships__department", distinct=True)
    Membership.scope_fields = ScopeFields(department="department")
    ApiToken.scope_fields = ScopeFields(department="user__memberships__department", distinct=True)


_install_scope_fields()
