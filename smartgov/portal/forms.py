"""Page forms. They check shape only; services own the business rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from smartgov.accounts.models import Role, Scope, UserKind
from smartgov.core.models import DepartmentKind


class StyledForm(forms.Form):
    """Adds Tabler's classes to every widget, and marks fields with errors as invalid."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(
                widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)
            ):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


class LoginForm(StyledForm):
    username = forms.CharField(
        label=_("Login name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordChangeForm(StyledForm):
    old_password = forms.CharField(
        label=_("Current password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        min_length=8,
        help_text=_("At least 8 characters; avoid common words and your login name."),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


# --- Personal API tokens ----------------------------------------------------------------------

TOKEN_LIFETIMES = [
    (30, _("30 days")),
    (90, _("90 days")),
    (180, _("180 days")),
    (365, _("One year")),
]


class TokenCreateForm(StyledForm):
    name = forms.CharField(
        label=_("Token name"),
        max_length=64,
        help_text=_("What the token is for, e.g. the script or system that uses it."),
    )
    lifetime_days = forms.TypedChoiceField(
        label=_("Valid for"), choices=TOKEN_LIFETIMES, coerce=int, initial=90
    )


# --- Accounts ---------------------------------------------------------------------------------

ACTIVE_CHOICES = [("", _("Active and inactive")), ("1", _("Active")), ("0", _("Inactive"))]


class UserFilterForm(StyledForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("Name or login name")}),
    )
    kind = forms.ChoiceField(
        label=_("Account kind"),
        required=False,
        choices=[("", _("All kinds")), *UserKind.choices],
    )
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)


class _NewPasswordMixin:
    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class StaffCreateForm(_NewPasswordMixin, StyledForm):
    username = forms.CharField(label=_("Login name"), max_length=150)
    name = forms.CharField(label=_("Real name"), max_length=128)
    phone = forms.CharField(label=_("Mobile number"), max_length=11, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Give it to the staff member in person; they should change it at once."),
    )
    password_again = forms.CharField(
        label=_("Initial password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class UserEditForm(StyledForm):
    display_name = forms.CharField(label=_("Name"), max_length=128)
    phone = forms.CharField(label=_("Mobile number"), max_length=11, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    legal_representative = forms.CharField(
        label=_("Legal representative"), max_length=64, required=False
    )

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        if account.kind != UserKind.ENTERPRISE:
            del self.fields["legal_representative"]

    def changes(self) -> dict:
        return dict(self.cleaned_data)


class SetPasswordForm(_NewPasswordMixin, StyledForm):
    password = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("New password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class AssignRoleForm(StyledForm):
    """Department choices are the ones the actor may assign roles in (from the scope layer)."""

    department = forms.TypedChoiceField(label=_("Department"), coerce=int)
    role = forms.ChoiceField(label=_("Role"))
    scope = forms.ChoiceField(
        label=_("Data scope"),
        choices=[("", _("The role's default")), *Scope.choices],
        required=False,
    )
    title = forms.CharField(label=_("Job title"), max_length=64, required=False)

    def __init__(self, *args, departments, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "---------"), *departments]
        self.fields["role"].choices = [("", "---------"), *roles]


# --- Departments ------------------------------------------------------------------------------


class DepartmentForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=128)
    short_name = forms.CharField(label=_("Short name"), max_length=64, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=DepartmentKind.choices)
    region_code = forms.ChoiceField(label=_("Region"))
    parent_id = forms.TypedChoiceField(
        label=_("Parent department"), coerce=int, required=False, empty_value=None
    )
    code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        required=False,
        help_text=_("Optional; 18 characters with a check character (GB 32100)."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)

    def __init__(self, *args, regions, parents, allow_top_level, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [("", "---------"), *regions]
        top = [("", _("(top level)"))] if allow_top_level else [("", "---------")]
        self.fields["parent_id"].choices = [*top, *parents]
        self.fields["parent_id"].required = not allow_top_level


# --- Roles ------------------------------------------------------------------------------------


class RoleForm(StyledForm):
    code = forms.SlugField(
        label=_("Code"),
        max_length=64,
        help_text=_("Lower-case letters, digits and _; cannot be changed later."),
    )
    name = forms.CharField(label=_("Name"), max_length=64)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, permissions, editing: Role | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permissions"].choices = permissions
        if editing is not None:
            del self.fields["code"]


# --- Working-day calendar ---------------------------------------------------------------------

DAY_STATUS_CHOICES = [
    ("holiday", _("Holiday (no work)")),
    ("workday", _("Working day (adjusted, 调休)")),
]


class CalendarDayForm(StyledForm):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label=_("The day is a"), choices=DAY_STATUS_CHOICES)
    name = forms.CharField(
        label=_("Name"),
        max_length=64,
        required=False,
        help_text=_("e.g. 春节 (Spring Festival), or 春节调休 for an adjusted working day."),
    )


class CalendarYearForm(StyledForm):
    source = forms.CharField(
        label=_("Source"),
        max_length=255,
        help_text=_("The State Council notice, e.g. 国务院办公厅关于2027年部分节假日安排的通知."),
    )
    complete = forms.BooleanField(
        label=_("All holidays and adjusted working days of this year are entered"),
        required=False,
        initial=True,
    )


# --- Single sign-on clients -------------------------------------------------------------------


class OidcClientForm(StyledForm):
    name = forms.CharField(label=_("Application name"), max_length=255)
    redirect_uris = forms.CharField(
        label=_("Redirect URIs"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "https://app.example.gov.cn/cb"}),
        help_text=_("One per line; the exact addresses users return to after signing in."),
    )
    confidential = forms.TypedChoiceField(
        label=_("Client type"),
        choices=[
            ("1", _("Confidential (server-side application with a secret)")),
            ("0", _("Public (mobile or single-page app, no secret)")),
        ],
        coerce=lambda value: value == "1",
        initial="1",
    )
    skip_authorization = forms.BooleanField(
        label=_("Trusted: skip the consent screen"),
        required=False,
        help_text=_("Only for the city's own systems."),
    )

    def redirect_uri_list(self) -> list[str]:
        lines = self.cleaned_data["redirect_uris"].splitlines()
        return [line.strip() for line in lines if line.strip()]


# --- Audit log --------------------------------------------------------------------------------


class AuditFilterForm(StyledForm):
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("Actor (login name)"), required=False, max_length=150)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, actions, object_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All actions")), *[(a, a) for a in actions]]
        self.fields["object_type"].choices = [
            ("", _("All object types")),
            *[(t, t) for t in object_types],
        ]


# --- Data resource catalog (数据资源目录) ---------------------------------------------------------

_LIST_SEPARATORS = r"[,，、;；\s]+"


def _split_list(value: str) -> list[str]:
    import re

    return [part for part in re.split(_LIST_SEPARATORS, value or "") if part]


def _any(label, choices) -> list[tuple[str, str]]:
    return [("", label), *choices]


class CatalogSearchForm(StyledForm):
    """Search box and filters of the catalog; choices come from the catalog's own enums."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": _("Name, summary or field, e.g. 户籍")}),
    )
    provider = forms.TypedChoiceField(
        label=_("Provider department"), required=False, coerce=int, empty_value=None
    )
    base_resource = forms.ChoiceField(label=_("Base data set"), required=False)
    share_type = forms.ChoiceField(label=_("Sharing"), required=False)
    open_type = forms.ChoiceField(label=_("Opening"), required=False)
    grade = forms.ChoiceField(label=_("Data grade"), required=False)
    update_cycle = forms.ChoiceField(label=_("Update frequency"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, providers, show_status: bool, **kwargs):
        from smartgov.catalog.models import (
            BaseResource,
            Grade,
            OpenType,
            ResourceStatus,
            ShareType,
            UpdateCycle,
        )

        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = _any(_("All departments"), providers)
        self.fields["base_resource"].choices = _any(_("Any"), BaseResource.choices)
        self.fields["share_type"].choices = _any(_("Any"), ShareType.choices)
        self.fields["open_type"].choices = _any(_("Any"), OpenType.choices)
        self.fields["grade"].choices = _any(_("Any"), Grade.choices)
        self.fields["update_cycle"].choices = _any(_("Any"), UpdateCycle.choices)
        if show_status:
            self.fields["status"].choices = _any(_("Any"), ResourceStatus.choices)
        else:
            del self.fields["status"]


class ResourceForm(StyledForm):
    """A resource's metadata (GB/T 21063); related resources are entered by resource code."""

    provider_id = forms.TypedChoiceField(label=_("Provider department"), coerce=int)
    code = forms.CharField(
        label=_("Resource code"),
        max_length=20,
        help_text=_(
            "Class (1 base, 2 theme, 3 department), subclass, item, detail and a sequence, "
            "e.g. 301001001/000001."
        ),
        widget=forms.TextInput(attrs={"placeholder": "301001001/000001", "inputmode": "numeric"}),
    )
    name = forms.CharField(label=_("Resource name"), max_length=128)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    classification = forms.ChoiceField(label=_("Classification"))
    base_resource = forms.ChoiceField(
        label=_("Base data set"),
        required=False,
        help_text=_("Only for base resources: which of the six base data sets it belongs to."),
    )
    format = forms.ChoiceField(label=_("Resource format"))
    share_type = forms.ChoiceField(label=_("Sharing"))
    share_conditions = forms.CharField(
        label=_("Sharing conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for conditional sharing."),
    )
    share_method = forms.CharField(label=_("Sharing method"), required=False, max_length=128)
    open_type = forms.ChoiceField(label=_("Opening"))
    update_cycle = forms.ChoiceField(label=_("Update frequency"))
    release_date = forms.DateField(
        label=_("Release date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    related_codes = forms.CharField(
        label=_("Related resources"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Resource codes, separated by commas or new lines."),
    )

    def __init__(self, *args, providers, **kwargs):
        from smartgov.catalog.models import (
            BaseResource,
            Classification,
            OpenType,
            ResourceFormat,
            ShareType,
            UpdateCycle,
        )

        super().__init__(*args, **kwargs)
        self.fields["provider_id"].choices = providers
        self.fields["classification"].choices = Classification.choices
        self.fields["classification"].initial = Classification.DEPARTMENT
        self.fields["base_resource"].choices = _any(_("None"), BaseResource.choices)
        self.fields["format"].choices = ResourceFormat.choices
        self.fields["share_type"].choices = ShareType.choices
        self.fields["open_type"].choices = OpenType.choices
        self.fields["open_type"].initial = OpenType.CLOSED  # publication is opted into
        self.fields["update_cycle"].choices = UpdateCycle.choices

    def related_code_list(self) -> list[str]:
        return _split_list(self.cleaned_data.get("related_codes", ""))


class FieldRowForm(StyledForm):
    """One row of the fields editor (信息项)."""

    name = forms.CharField(
        label=_("Field name"),
        max_length=63,
        widget=forms.TextInput(attrs={"placeholder": "citizen_id", "autocapitalize": "off"}),
    )
    label = forms.CharField(label=_("Label"), max_length=128)
    data_type = forms.ChoiceField(label=_("Data type"))
    max_length = forms.IntegerField(label=_("Max. length"), required=False, min_value=1)
    enum_values = forms.CharField(
        label=_("Values"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": _("Enumerations only: A、B、C")}),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    is_key = forms.BooleanField(label=_("Key"), required=False)
    personal_kind = forms.ChoiceField(label=_("Personal data"))
    grade = forms.ChoiceField(label=_("Data grade"))
    masking = forms.ChoiceField(label=_("Masking"))

    def __init__(self, *args, **kwargs):
        from smartgov.catalog.models import DataType, Grade, MaskingRule, PersonalKind

        super().__init__(*args, **kwargs)
        # Initial values equal to the first choice keep an untouched new row "unchanged",
        # so an empty row added by mistake is ignored instead of failing validation.
        for name, choices, default in (
            ("data_type", DataType, DataType.STRING),
            ("personal_kind", PersonalKind, PersonalKind.NONE),
            ("grade", Grade, Grade.GENERAL),
            ("masking", MaskingRule, MaskingRule.NONE),
        ):
            self.fields[name].choices = choices.choices
            self.fields[name].initial = default

    def as_item(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("DELETE", None)
        data["enum_values"] = _split_list(data.get("enum_values", ""))
        return data


FieldRowFormSet = forms.formset_factory(FieldRowForm, extra=0, can_delete=True, max_num=500)


class ReasonForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(StyledForm):
    comment = forms.CharField(
        label=_("Remark"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- One data element, one source (一数一源) --------------------------------------------------


class ElementSearchForm(StyledForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("Code, name or description, e.g. 姓名")}),
    )
    key_type = forms.ChoiceField(label=_("Subject key"), required=False)

    def __init__(self, *args, **kwargs):
        from smartgov.catalog.models import KEY_TYPES

        super().__init__(*args, **kwargs)
        self.fields["key_type"].choices = _any(_("Any"), [(t.value, t.label) for t in KEY_TYPES])


class _FieldChoices:
    """Selects of a resource's fields; their options follow the chosen resource (HTMX)."""

    def set_field_choices(self, names: tuple[str, ...], fields, *, follow: str = "") -> None:
        from django.urls import reverse

        options = [("", _("Choose the resource first") if fields is None else "---------")]
        for f in fields or []:
            label = f"{f.label} · {f.name} ({f.get_data_type_display()})"
            options.append((f.name, label + (f" · {_('Key')}" if f.is_key else "")))
        for name in names:
            self.fields[name].choices = options
            if follow:
                # New options when the resource select named ``follow`` changes.
                self.fields[name].widget.attrs.update(
                    {
                        "hx-get": reverse("portal:source_field_options"),
                        "hx-trigger": f"change from:#id_{follow}",
                        "hx-include": f"#id_{follow}",
                        "hx-swap": "innerHTML",
                    }
                )


class ElementForm(_FieldChoices, StyledForm):
    """A data element and its authoritative source."""

    code = forms.CharField(
        label=_("Element code"),
        max_length=64,
        help_text=_("Lower-case letters, digits and _, e.g. citizen_name."),
        widget=forms.TextInput(attrs={"placeholder": "citizen_name", "autocapitalize": "off"}),
    )
    name = forms.CharField(label=_("Element name"), max_length=128)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    key_type = forms.ChoiceField(
        label=_("Subject key"),
        help_text=_("What identifies whose value it is, e.g. the citizen ID for a citizen's name."),
    )
    source_resource_id = forms.TypedChoiceField(
        label=_("Authoritative resource"), coerce=int, empty_value=None
    )
    source_field = forms.ChoiceField(label=_("Authoritative field"))
    source_key_field = forms.ChoiceField(
        label=_("Key field of the source"),
        help_text=_("The resource's only key field, of the subject key's type."),
    )

    def __init__(self, *args, resources, fields=None, **kwargs):
        from smartgov.catalog.models import KEY_TYPES

        super().__init__(*args, **kwargs)
        self.fields["key_type"].choices = [(t.value, t.label) for t in KEY_TYPES]
        self.fields["source_resource_id"].choices = [("", "---------"), *resources]
        self.set_field_choices(
            ("source_field", "source_key_field"), fields, follow="source_resource_id"
        )


class HolderAddForm(_FieldChoices, StyledForm):
    resource_id = forms.TypedChoiceField(label=_("Holding resource"), coerce=int, empty_value=None)
    field = forms.ChoiceField(label=_("Holding field"))
    key_field = forms.ChoiceField(label=_("Key field of the holder"))
    report_missing = forms.BooleanField(
        label=_("Report keys missing in the source"), required=False, initial=True
    )
    note = forms.CharField(label=_("Remark"), required=False, max_length=255)

    def __init__(self, *args, resources, fields=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource_id"].choices = [("", "---------"), *resources]
        self.set_field_choices(("field", "key_field"), fields, follow="resource_id")


class HolderEditForm(_FieldChoices, StyledForm):
    key_field = forms.ChoiceField(label=_("Key field of the holder"))
    report_missing = forms.BooleanField(
        label=_("Report keys missing in the source"),
        required=False,
        help_text=_(
            "Turn off when the holder's subjects need not all be in the source, e.g. migrants "
            "in a register of households."
        ),
    )
    note = forms.CharField(label=_("Remark"), required=False, max_length=255)

    def __init__(self, *args, fields, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_field_choices(("key_field",), fields)


class OptionalReasonForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


CONFLICT_DECISIONS = [
    ("notify_holder", _("Ask the holder to correct its copy")),
    ("report_source", _("Mark as an error in the authoritative source")),
    ("dismiss", _("Dismiss: the difference is legitimate")),
]


class ConflictFilterForm(StyledForm):
    element = forms.TypedChoiceField(
        label=_("Data element"), required=False, coerce=int, empty_value=None
    )
    department = forms.TypedChoiceField(
        label=_("Holder department"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    key = forms.CharField(
        label=_("Key"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": _("Citizen ID or credit code")}),
    )

    def __init__(self, *args, elements, departments, **kwargs):
        from smartgov.datastore.models import ConflictKind, ConflictStatus

        super().__init__(*args, **kwargs)
        self.fields["element"].choices = _any(_("All elements"), elements)
        self.fields["department"].choices = _any(_("All departments"), departments)
        self.fields["status"].choices = [
            ("unresolved", _("Waiting (open or asked to correct)")),
            *ConflictStatus.choices,
            ("all", _("Any status")),
        ]
        self.fields["kind"].choices = _any(_("Any"), ConflictKind.choices)


class ConflictDecisionForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("Decision on the conflict"), choices=CONFLICT_DECISIONS, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Remark or reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when dismissing."),
    )

    def __init__(self, *args, decisions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if decisions is not None:
            self.fields["decision"].choices = [c for c in CONFLICT_DECISIONS if c[0] in decisions]


class ConflictCommentForm(StyledForm):
    comment = forms.CharField(
        label=_("Remark"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
