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
