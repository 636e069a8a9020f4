"""Forms of the service-item pages: the hall's filters and the staff's item editor."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from smartgov.services.models import (
    ApplicantKind,
    HandlingKind,
    ItemLevel,
    ItemType,
    MaterialForm,
    MaterialSource,
    MaterialType,
    OnlineLevel,
    ProofSource,
    Requirement,
)


def _blank(choices) -> list:
    return [("", _("All")), *choices]


class HallFilterForm(forms.Form):
    q = forms.CharField(label=_("Search services"), required=False, max_length=100)
    department = forms.TypedChoiceField(
        label=_("Department"), required=False, coerce=int, empty_value=None
    )
    item_type = forms.ChoiceField(label=_("item type"), required=False)
    applicant_kind = forms.ChoiceField(label=_("applicants"), required=False)
    online_level = forms.ChoiceField(label=_("online availability"), required=False)
    zero_visits = forms.BooleanField(label=_("Zero visits"), required=False)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = _blank([(d.pk, d.name) for d in departments])
        self.fields["item_type"].choices = _blank(ItemType.choices)
        self.fields["applicant_kind"].choices = _blank(
            [(ApplicantKind.CITIZEN, _("Citizens")), (ApplicantKind.ENTERPRISE, _("Enterprises"))]
        )
        self.fields["online_level"].choices = _blank(OnlineLevel.choices)
        self.fields["q"].widget.attrs.update(
            {"class": "form-control", "placeholder": _("e.g. 营业执照, 开饭店, 社保卡")}
        )
        for name in ("department", "item_type", "applicant_kind", "online_level"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["zero_visits"].widget.attrs["class"] = "form-check-input"


class JSONListField(forms.CharField):
    """A list of objects edited as JSON text (materials, steps)."""

    widget = forms.Textarea

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return []
        try:
            data = json.loads(value)
        except ValueError:
            raise forms.ValidationError(_("This is not valid JSON.")) from None
        if not isinstance(data, list):
            raise forms.ValidationError(_("A JSON list is required."))
        return data


class ItemForm(forms.Form):
    department = forms.TypedChoiceField(label=_("implementing department"), coerce=int)
    implementation_code = forms.CharField(label=_("implementation code"), max_length=64)
    basic_code = forms.CharField(label=_("basic code"), max_length=32, required=False)
    name = forms.CharField(label=_("name"), max_length=128)
    item_type = forms.ChoiceField(label=_("item type"), choices=ItemType.choices)
    level = forms.ChoiceField(label=_("level"), choices=ItemLevel.choices)
    applicant_kind = forms.ChoiceField(label=_("applicants"), choices=ApplicantKind.choices)
    handling_kind = forms.ChoiceField(
        label=_("immediate or promised"), choices=HandlingKind.choices
    )
    legal_days = forms.IntegerField(label=_("legal time limit"), required=False, min_value=0)
    promised_days = forms.IntegerField(label=_("promised time limit"), required=False, min_value=0)
    visits = forms.IntegerField(label=_("visits required"), min_value=0, initial=0)
    online_level = forms.ChoiceField(label=_("online availability"), choices=OnlineLevel.choices)
    legal_basis = forms.CharField(label=_("legal basis"), widget=forms.Textarea, required=False)
    conditions = forms.CharField(
        label=_("acceptance conditions"), widget=forms.Textarea, required=False
    )
    process = forms.CharField(label=_("process description"), widget=forms.Textarea, required=False)
    places = forms.CharField(label=_("handling places"), required=False)
    hours = forms.CharField(label=_("handling hours"), required=False)
    consult_phone = forms.CharField(label=_("consultation phone"), required=False)
    complaint_phone = forms.CharField(label=_("complaint phone"), required=False)
    result_name = forms.CharField(label=_("result"), required=False)
    is_free = forms.BooleanField(label=_("free of charge"), required=False, initial=True)
    tags = forms.CharField(label=_("topic tags"), required=False, help_text=_("Comma separated"))
    keywords = forms.CharField(
        label=_("search keywords"), required=False, help_text=_("Comma separated")
    )
    fees = JSONListField(label=_("fees"), required=False)
    materials = JSONListField(label=_("item materials"), required=False)
    steps = JSONListField(label=_("item steps"), required=False)
    form_fields = JSONListField(label=_("application form"), required=False)

    def __init__(self, *args, departments=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]
        if editing:
            self.fields["implementation_code"].disabled = True
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"
            if isinstance(widget, forms.Textarea):
                widget.attrs["rows"] = 6 if name in ("materials", "steps", "form_fields") else 3
        labels = json.dumps(
            {
                key: str(text)
                for key, text in {
                    "add": _("Add a row"),
                    "remove": _("Remove"),
                    "json": _("Edit as JSON"),
                    "empty": _("None yet."),
                }.items()
            },
            ensure_ascii=False,
        )
        for name, columns in list_editor_columns(departments).items():
            attrs = self.fields[name].widget.attrs
            attrs["data-sg-list-editor"] = json.dumps(columns, ensure_ascii=False)
            attrs["data-sg-list-labels"] = labels

    def clean_tags(self):
        return [
            t.strip() for t in self.cleaned_data["tags"].replace("，", ",").split(",") if t.strip()
        ]

    def clean_keywords(self):
        text = self.cleaned_data["keywords"].replace("，", ",")
        return [t.strip() for t in text.split(",") if t.strip()]


def _options(choices) -> list[list[str]]:
    return [[str(value), str(label)] for value, label in choices]


def list_editor_columns(departments=()) -> dict[str, list[dict]]:
    """The row editor's columns (portal/static/portal/list-editor.js) for each JSON list field;
    keys not shown as a column (a choice field's choices, show_if, …) are kept as they are."""
    from smartgov.services.forms import FIELD_TYPES, PREFILL_KEYS

    def column(name, label, kind="text", **extra):
        return {"name": name, "label": str(label), "type": kind, **extra}

    department_options = [["", str(_("The item's department"))]] + [
        [str(d.pk), d.name] for d in departments
    ]
    return {
        "fees": [
            column("name", _("fee")),
            column("amount", _("amount (yuan)"), "number", step="0.01"),
            column("basis", _("basis")),
        ],
        "materials": [
            column("name", _("material name")),
            column(
                "material_type",
                _("material type"),
                "select",
                options=_options(MaterialType.choices),
            ),
            column("form", _("material form"), "select", options=_options(MaterialForm.choices)),
            column(
                "requirement", _("requirement"), "select", options=_options(Requirement.choices)
            ),
            column("condition", _("condition")),
            column(
                "source", _("material source"), "select", options=_options(MaterialSource.choices)
            ),
            column("copies", _("copies"), "number"),
            column(
                "proof_source",
                _("no-proof source"),
                "select",
                options=_options(ProofSource.choices),
            ),
            column("license_type_code", _("e-license type code")),
            column("resource_id", _("shared-data resource"), "number"),
            column("resource_field", _("shared-data field")),
            column("standard", _("acceptance standard")),
        ],
        "steps": [
            column("name", _("step name")),
            column("role", _("role")),
            column("department_id", _("department"), "select", options=department_options),
            column("limit_days", _("step limit"), "number"),
            column("parallel_group", _("parallel group")),
        ],
        "form_fields": [
            column("name", _("field key")),
            column("label", _("label shown")),
            column("type", _("type"), "select", options=[[t, t] for t in FIELD_TYPES]),
            column("required", _("required"), "check"),
            column(
                "prefill",
                _("filled in from"),
                "select",
                options=[["", "—"]] + [[k, k] for k in PREFILL_KEYS],
            ),
        ],
    }


def item_initial(item) -> dict:
    """The editor's initial values from an item version."""
    from smartgov.services.forms import form_of

    skip = ("department", "materials", "steps", "form_fields")
    fields = [f for f in ItemForm.base_fields if f not in skip]
    initial = {name: getattr(item, name) for name in fields}
    initial["department"] = item.department_id
    initial["tags"] = ", ".join(item.tags)
    initial["keywords"] = ", ".join(item.keywords)
    initial["fees"] = json.dumps(item.fees, ensure_ascii=False, indent=1)
    materials = []
    for m in item.materials.all():
        entry = {
            "name": m.name,
            "material_type": m.material_type,
            "form": m.form,
            "requirement": m.requirement,
            "source": m.source,
            "copies": m.copies,
            "proof_source": m.proof_source,
        }
        for key in ("condition", "standard", "license_type_code", "resource_field"):
            if getattr(m, key):
                entry[key] = getattr(m, key)
        if m.resource_id:
            entry["resource_id"] = m.resource_id
        materials.append(entry)
    initial["materials"] = json.dumps(materials, ensure_ascii=False, indent=1)
    steps = [
        {
            k: v
            for k, v in {
                "name": s.name,
                "role": s.role,
                "limit_days": s.limit_days,
                "department_id": s.department_id,
                "parallel_group": s.parallel_group,
            }.items()
            if v not in ("", None)
        }
        for s in item.steps.all()
    ]
    initial["steps"] = json.dumps(steps, ensure_ascii=False, indent=1)
    initial["form_fields"] = json.dumps(form_of(item), ensure_ascii=False, indent=1)
    return initial


# --- Applications (申请, 受理, 审批) --------------------------------------------------------

MAX_UPLOAD = 5 * 1024 * 1024
MAX_ATTACHMENTS = 6

# The form service's error codes (forms.validate_form), as the applicant reads them.
FIELD_ERRORS = {
    "required": _("This field is required."),
    "too_short": _("The answer is too short."),
    "too_long": _("The answer is too long."),
    "pattern": _("The answer does not have the expected form."),
    "not_a_number": _("A number is expected."),
    "not_an_integer": _("A whole number is expected."),
    "too_small": _("The number is below the minimum."),
    "too_large": _("The number is above the maximum."),
    "not_a_date": _("A date is written YYYY-MM-DD."),
    "too_early": _("The date is too early."),
    "too_late": _("The date is too late."),
    "one_choice": _("Choose one of the choices."),
    "unknown_choice": _("Choose one of the choices."),
}


def material_field(material_id) -> str:
    """The file input of one material (a name no form field can have: they are a-z0-9_)."""
    return f"material-{material_id}"


def _check_size(upload) -> None:
    if upload is not None and upload.size > MAX_UPLOAD:
        raise forms.ValidationError(_("A file is at most 5 MB."), code="file_too_large")


def _styled(field: forms.Field) -> forms.Field:
    widget = field.widget
    if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
        return field
    if isinstance(widget, forms.Select):
        widget.attrs["class"] = "form-select"
    else:
        widget.attrs["class"] = "form-control"
    return field


def _definition_field(spec: dict) -> forms.Field:
    """One field of a FormDefinition as a Django field. Every field is optional here: the
    service checks the answers (and a draft may be incomplete); ``sg_required`` marks it."""
    kind, label, attrs = spec["type"], spec["label"], {}
    if kind == "number":
        attrs["step"] = "1" if spec.get("integer") else "any"
        for key in ("min", "max"):
            if key in spec:
                attrs[key] = spec[key]
        field = forms.CharField(widget=forms.NumberInput(attrs=attrs))
    elif kind == "date":
        for key in ("min", "max"):
            if key in spec:
                attrs[key] = spec[key]
        field = forms.CharField(widget=forms.DateInput(attrs={"type": "date", **attrs}))
    elif kind == "choice":
        choices = [(c["value"], c["label"]) for c in spec["choices"]]
        if spec.get("multiple"):
            field = forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple)
        elif len(choices) <= 4:
            field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect)
        else:
            field = forms.ChoiceField(choices=[("", _("Please choose")), *choices])
    elif kind == "id_number":
        field = forms.CharField(
            max_length=18,
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        )
    elif kind == "phone":
        field = forms.CharField(
            max_length=32, widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"})
        )
    else:
        long_text = spec.get("max_length", 0) > 200
        widget = forms.Textarea(attrs={"rows": 3}) if long_text else forms.TextInput()
        if spec.get("max_length"):
            widget.attrs["maxlength"] = spec["max_length"]
        field = forms.CharField(widget=widget, strip=True)
    field.label = label
    field.required = False
    field.help_text = spec.get("help", "")
    field.sg_required = bool(spec.get("required"))
    field.sg_prefill = spec.get("prefill", "")
    field.sg_show_if = spec.get("show_if")
    return _styled(field)


class ApplicationForm(forms.Form):
    """The item's application form, built from its FormDefinition, and one file input per
    material the applicant may upload (``material-<id>``)."""

    def __init__(self, *args, definition=(), materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = list(definition)
        self.material_names = {}
        for spec in self.definition:
            self.fields[spec["name"]] = _definition_field(spec)
        for material in materials:
            name = material_field(material.pk)
            self.fields[name] = forms.FileField(
                label=material.name, required=False, validators=[_check_size]
            )
            self.fields[name].widget.attrs["class"] = "form-control"
            self.material_names[material.pk] = name

    def answer_fields(self):
        return [self[spec["name"]] for spec in self.definition]

    def material_fields(self):
        return [self[name] for name in self.material_names.values()]

    def form_data(self) -> dict:
        """The answers for the service (empty ones left out, as the service expects)."""
        data = {}
        for spec in self.definition:
            value = self.cleaned_data.get(spec["name"])
            if value not in (None, "", []):
                data[spec["name"]] = value
        return data

    def uploads(self) -> dict:
        """``{material_id: UploadedFile}`` of the files chosen this time."""
        return {
            material_id: self.cleaned_data[name]
            for material_id, name in self.material_names.items()
            if self.cleaned_data.get(name)
        }

    def add_service_errors(self, exc) -> None:
        """Put an InvalidInput's ``detail.fields`` / ``detail.materials`` on their inputs;
        anything else above the form."""
        detail = exc.detail if isinstance(exc.detail, dict) else {}
        fields = detail.get("fields") or {}
        missing = detail.get("materials") or []
        for name, error in fields.items():
            code = error.get("code", "") if isinstance(error, dict) else ""
            message = FIELD_ERRORS.get(code) or _(str(error.get("message", code)))
            self.add_error(name if name in self.fields else None, message)
        for entry in missing:
            name = self.material_names.get(entry.get("material_id"))
            message = _("This material is required: upload it.")
            if name:
                self.add_error(name, message)
            else:
                self.add_error(None, f"{entry.get('name', '')}: {message}")
        one = self.material_names.get(detail.get("material_id"))
        if one and not fields and not missing:  # a refused file (type, size)
            self.add_error(one, exc.message)
        elif not fields and not missing:
            self.add_error(None, exc.message)


class CounterApplicantForm(forms.Form):
    """前台综合受理: who the application is for."""

    applicant_type = forms.ChoiceField(
        label=_("applicant type"), widget=forms.RadioSelect, initial="citizen"
    )
    applicant_name = forms.CharField(label=_("applicant name"), max_length=128)
    applicant_id = forms.CharField(
        label=_("Citizen ID or unified social credit code"), max_length=18
    )
    comment = forms.CharField(label=_("Counter note"), required=False, max_length=2000)

    def __init__(self, *args, applicant_kind="both", **kwargs):
        from smartgov.services.application_models import ApplicantType

        super().__init__(*args, **kwargs)
        choices = ApplicantType.choices
        if applicant_kind in ApplicantType.values:
            choices = [c for c in choices if c[0] == applicant_kind]
            self.fields["applicant_type"].initial = applicant_kind
        self.fields["applicant_type"].choices = choices
        for name in ("applicant_name", "applicant_id", "comment"):
            self.fields[name].widget.attrs["class"] = "form-control"
        self.fields["applicant_id"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false"}
        )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusal"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class CorrectionForm(forms.Form):
    """补正 (一次性告知): the item's materials to correct and free items, all at once."""

    materials = forms.TypedMultipleChoiceField(
        label=_("Materials to correct"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    other = forms.CharField(
        label=_("Other items, one per line"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    comment = forms.CharField(
        label=_("Note to the applicant"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.material_names = {m.pk: m.name for m in materials}
        self.fields["materials"].choices = list(self.material_names.items())

    def items(self) -> list[dict]:
        chosen = [
            {"description": self.material_names[pk], "material_id": pk}
            for pk in self.cleaned_data["materials"]
        ]
        lines = [line.strip() for line in self.cleaned_data["other"].splitlines()]
        return chosen + [{"description": line} for line in lines if line]

    def clean(self):
        data = super().clean()
        if not data.get("materials") and not (data.get("other") or "").strip():
            raise forms.ValidationError(
                _("List at least one material or item to correct."), code="nothing_listed"
            )
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Zero or more files, each at most 5 MB (the service checks their type)."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Attachments"))
        kwargs.setdefault("help_text", _("Up to six files (PDF or images), 5 MB each."))
        super().__init__(*args, **kwargs)
        self.widget.attrs["class"] = "form-control"

    def clean(self, data, initial=None):
        single = super().clean
        items = data if isinstance(data, (list, tuple)) else [data]
        files = [single(item, initial) for item in items if item]
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(_("At most six files."), code="too_many_files")
        for upload in files:
            _check_size(upload)
        return files


class TaskDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve the step")), ("deny", _("Deny the application"))],
        widget=forms.RadioSelect,
        initial="approve",
    )
    comment = forms.CharField(
        label=_("Opinion"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    attachments = AttachmentsField()

    def __init__(self, *args, result_fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.result_names = []
        for spec in result_fields:
            name = f"result_{spec['name']}"
            widget = (
                forms.DateInput(attrs={"type": "date", "class": "form-control"})
                if spec.get("type") == "date"
                else forms.TextInput(attrs={"class": "form-control"})
            )
            self.fields[name] = forms.CharField(
                label=spec["label"],
                required=False,
                max_length=500,
                widget=widget,
                help_text=_("For the e-license issued when the last step approves."),
            )
            self.result_names.append((name, spec["name"]))

    def result_data(self) -> dict | None:
        """E-license data the approver filled in (None when the page asked for none)."""
        data = {
            key: self.cleaned_data[name]
            for name, key in self.result_names
            if self.cleaned_data.get(name)
        }
        return data or None


class TimeRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of request"),
        choices=[("extend", _("Extend the limit")), ("suspend", _("Suspend the clock"))],
        widget=forms.RadioSelect,
        initial="extend",
    )
    days = forms.IntegerField(
        label=_("Working days"),
        min_value=1,
        max_value=365,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class DecideTimeRequestForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Reject"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
