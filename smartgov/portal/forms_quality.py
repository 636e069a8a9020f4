"""Forms of the data-quality pages. They check shape only; the quality services own the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from smartgov.portal.forms import StyledForm

RULE_KINDS = [
    ("completeness", _("Completeness: the field is filled in")),
    ("validity", _("Validity: the value has the right form or range")),
    ("uniqueness", _("Uniqueness: no two rows share the value(s)")),
    ("consistency", _("Consistency: the value exists in another resource")),
]


class QualityRuleForm(StyledForm):
    """An explicit rule (all attributes), or a derived one (``derived=True``: settings only)."""

    kind = forms.ChoiceField(label=_("Rule kind"), choices=RULE_KINDS)
    fields = forms.MultipleChoiceField(
        label=_("Fields"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Completeness: one field, or none for every required field. Validity and "
            "consistency: one field. Uniqueness: one field or a combination."
        ),
    )
    pattern = forms.CharField(
        label=_("Pattern (regular expression)"),
        required=False,
        max_length=500,
        help_text=_("The whole value must match, e.g. 1[3-9][0-9]{9} for a mobile number."),
        widget=forms.TextInput(attrs={"class": "font-monospace", "spellcheck": "false"}),
    )
    minimum = forms.CharField(label=_("Minimum"), required=False, max_length=40)
    maximum = forms.CharField(label=_("Maximum"), required=False, max_length=40)
    not_future = forms.BooleanField(label=_("Dates may not lie in the future"), required=False)
    reference = forms.ChoiceField(
        label=_("Reference field"),
        required=False,
        help_text=_("The values must exist among the current values of this field."),
    )
    weight = forms.IntegerField(
        label=_("Weight"),
        initial=1,
        help_text=_("From 1 to 100: how much the rule counts in the resource's score."),
    )
    threshold = forms.DecimalField(
        label=_("Threshold (%)"),
        required=False,
        max_digits=6,
        decimal_places=2,
        help_text=_("The share of rows that must pass; empty: the default of the rule kind."),
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    VALIDITY = ("pattern", "minimum", "maximum", "not_future")
    SETTINGS = ("weight", "threshold", "enabled", "note")

    def __init__(self, *args, field_choices, reference_choices, derived=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields"].choices = field_choices
        self.fields["reference"].choices = [("", "—"), *reference_choices]
        if derived:
            for name in list(self.fields):
                if name not in self.SETTINGS:
                    del self.fields[name]

    def as_values(self) -> dict:
        """The service's arguments from the cleaned data."""
        data = self.cleaned_data
        values = {name: data[name] for name in self.SETTINGS}
        if "kind" not in self.fields:
            return values
        params: dict = {}
        if data["pattern"]:
            params["pattern"] = data["pattern"]
        if data["minimum"]:
            params["min"] = data["minimum"]
        if data["maximum"]:
            params["max"] = data["maximum"]
        if data["not_future"]:
            params["not_future"] = True
        target_id, target_field = None, ""
        if data["reference"]:
            target, _sep, target_field = data["reference"].partition(":")
            target_id = int(target)
        values.update(
            kind=data["kind"],
            fields=list(data["fields"]),
            params=params,
            target_resource_id=target_id,
            target_field=target_field,
        )
        return values
