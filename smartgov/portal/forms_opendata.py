"""Forms of the open-data pages. They check shape only; the opendata services own the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from smartgov.catalog.models import ResourceFormat, UpdateCycle
from smartgov.portal.forms import StyledForm


class OpenSearchForm(StyledForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. 空气质量")}),
    )
    provider = forms.TypedChoiceField(
        label=_("Provider department"), required=False, coerce=int, empty_value=None
    )
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("All"))] + [c for c in ResourceFormat.choices if c[0] != "file"],
    )
    update_cycle = forms.ChoiceField(
        label=_("Update frequency"),
        required=False,
        choices=[("", _("All")), *UpdateCycle.choices],
    )

    def __init__(self, *args, providers=(), topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", _("All")), *providers]
        self.fields["topic"].choices = [("", _("All")), *topics]


class ApplyForm(StyledForm):
    purpose = forms.CharField(
        label=_("Purpose of use"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you will build with the data, and for whom."),
    )


class KeyForm(StyledForm):
    name = forms.CharField(label=_("Key name"), max_length=64, help_text=_("e.g. 我的数据应用"))


class DecideForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Remark"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when rejecting."),
    )


class PublicationForm(StyledForm):
    """The data bureau files an open resource: topic, tags (separated by commas), license."""

    topic = forms.ChoiceField(label=_("Topic"), required=False)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas, e.g. 空气质量, 监测站点"),
    )
    license = forms.ChoiceField(label=_("License"))

    def __init__(self, *args, topics=(), licenses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", _("None")), *topics]
        self.fields["license"].choices = list(licenses)

    def tag_list(self) -> list[str]:
        text = self.cleaned_data["tags"].replace("，", ",").replace("、", ",")
        return [t.strip() for t in text.split(",") if t.strip()]
