"""Forms of the data-sharing pages: apps, requests, decisions, grants, objections.

They only shape the input; every rule (fields that exist, narrowing, periods, rates, scopes) is
checked by sharing.services, whose refusals the views put back on the form.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartgov.portal.forms import StyledForm


class DateInput(forms.DateInput):
    """The browser's date picker, which takes ISO dates whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class AppForm(StyledForm):
    name = forms.CharField(label=_("App name"), max_length=128)
    contact_name = forms.CharField(label=_("Contact person"), max_length=64)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=32,
        help_text=_("A mobile number or a fixed line with its area code."),
    )
    ip_allowlist = forms.CharField(
        label=_("IP allow-list"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "font-monospace", "spellcheck": "false"}),
        help_text=_(
            "Addresses or CIDR blocks the app calls from, one per line (e.g. 10.20.0.0/16); "
            "empty means any address."
        ),
    )
    department = forms.TypedChoiceField(label=_("Owner department"), coerce=int, required=False)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(d.pk, d.name) for d in departments]
        if len(choices) > 1:
            self.fields["department"].choices = choices
        else:
            del self.fields["department"]


class ReasonForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class OptionalReasonForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ResourcePickForm(StyledForm):
    resource = forms.TypedChoiceField(label=_("Data resource"), coerce=int)

    def __init__(self, *args, resources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [("", _("Choose a resource…"))] + [
            (r.pk, f"{r.name}（{r.provider.name}·{r.get_share_type_display()}）") for r in resources
        ]


def _field_choices(fields) -> list[tuple[str, str]]:
    return [(f.name, f"{f.label}（{f.name}）") for f in fields]


class AccessRequestForm(StyledForm):
    app = forms.TypedChoiceField(label=_("For the app"), coerce=int)
    fields_wanted = forms.MultipleChoiceField(
        label=_("Fields needed"), widget=forms.CheckboxSelectMultiple
    )
    clear_fields = forms.MultipleChoiceField(
        label=_("Fields needed in clear (unmasked)"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only what the purpose requires; every other field is masked."),
    )
    purpose = forms.CharField(
        label=_("Purpose"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput)
    expected_daily_calls = forms.IntegerField(
        label=_("Expected calls per day"), min_value=0, initial=100
    )
    rate_per_minute = forms.IntegerField(label=_("Rate per minute"), min_value=1, initial=60)

    def __init__(self, *args, apps=(), fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["app"].choices = [(a.pk, a.name) for a in apps]
        choices = _field_choices(fields)
        self.fields["fields_wanted"].choices = choices
        self.fields["clear_fields"].choices = choices
        today = timezone.localdate()
        self.fields["valid_from"].initial = today
        self.fields["valid_until"].initial = today + timedelta(days=365)


DECISIONS = [("approve", _("Approve")), ("reject", _("Reject"))]


class StepDecisionForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect, initial="approve"
    )
    approved_fields = forms.MultipleChoiceField(
        label=_("Approved fields"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Untick the fields the consumer does not need; you cannot add any."),
    )
    approved_clear_fields = forms.MultipleChoiceField(
        label=_("Approved in clear"), widget=forms.CheckboxSelectMultiple, required=False
    )
    comment = forms.CharField(
        label=_("Comment (the reason, when rejecting)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, fields=(), clear_fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approved_fields"].choices = _field_choices(fields)
        self.fields["approved_clear_fields"].choices = _field_choices(clear_fields)
        if not self.is_bound:
            self.initial.setdefault("approved_fields", [f.name for f in fields])
            self.initial.setdefault("approved_clear_fields", [f.name for f in clear_fields])


class ObjectionForm(StyledForm):
    record_key = forms.CharField(
        label=_("Record key"),
        max_length=255,
        required=False,
        help_text=_(
            "The key of the record, e.g. the citizen ID; several key values are separated by "
            "|. Citizens and enterprises may leave it empty: their own ID is used."
        ),
    )
    field = forms.ChoiceField(label=_("Field whose value is wrong"))
    proposed_value = forms.CharField(label=_("Correct value"), max_length=2000, required=False)
    reason = forms.CharField(
        label=_("Why the value is wrong"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = _field_choices(fields)


ANSWERS = [("correct", _("Correct the value")), ("reject", _("Reject the objection"))]


class ObjectionAnswerForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("Answer"), choices=ANSWERS, widget=forms.RadioSelect, initial="correct"
    )
    value = forms.CharField(
        label=_("Corrected value"),
        max_length=2000,
        required=False,
        help_text=_("Leave as proposed, or enter the value the record should hold."),
    )
    response = forms.CharField(
        label=_("Response to the objector (the reason, when rejecting)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
