"""Forms of the data-store pages (数据归集). They check shape only; services own the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from smartgov.datastore.models import DeliveryMode, DeliveryStatus
from smartgov.portal.forms import StyledForm

ACCEPTED_FILES = ".csv,.xlsx,.json,.ndjson,.jsonl"


class DeliverForm(StyledForm):
    """Upload one file; a full replacement must be confirmed (it closes rows the file lacks)."""

    file = forms.FileField(
        label=_("Data file"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES}),
    )
    mode = forms.ChoiceField(
        label=_("Delivery mode"),
        # The everyday choice first; a full replacement is the destructive one.
        choices=[
            (DeliveryMode.UPSERT, DeliveryMode.UPSERT.label),
            (DeliveryMode.REPLACE, DeliveryMode.REPLACE.label),
        ],
        initial=DeliveryMode.UPSERT,
        widget=forms.RadioSelect,
    )
    confirm_replace = forms.BooleanField(
        label=_(
            "I understand: a full replacement closes every current row that is not in the file."
        ),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("mode") == DeliveryMode.REPLACE and not data.get("confirm_replace"):
            self.add_error(
                "confirm_replace", _("Confirm the full replacement, or choose an upsert.")
            )
        return data


class DeliveryFilterForm(StyledForm):
    """Filters of the delivery overview (数据归集)."""

    department = forms.TypedChoiceField(
        label=_("Provider department"), required=False, coerce=int, empty_value=None
    )
    resource = forms.CharField(
        label=_("Resource"),
        required=False,
        max_length=128,
        widget=forms.SearchInput(attrs={"placeholder": _("Name or resource code")}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("All departments")), *departments]
        self.fields["status"].choices = [("", _("Any")), *DeliveryStatus.choices]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class DataViewForm(StyledForm):
    """Which version of a resource's rows to show, and an optional look-up by key fields."""

    version = forms.IntegerField(
        label=_("Version"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"placeholder": _("Current")}),
    )

    def __init__(self, *args, latest: int, keys: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        # The selector refuses versions that do not exist (shown on the field).
        self.fields["version"].widget.attrs["max"] = latest
        self.key_names = []
        for name, label in keys:
            self.fields[f"key_{name}"] = forms.CharField(
                label=label,
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )
            self.key_names.append(name)

    def key_filters(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            name: data[f"key_{name}"].strip()
            for name in self.key_names
            if data.get(f"key_{name}", "").strip()
        }


class DiffForm(StyledForm):
    """Two versions to compare (0 = before the first delivery)."""

    from_version = forms.IntegerField(label=_("From version"), min_value=0)
    to_version = forms.IntegerField(label=_("To version"), min_value=0)
