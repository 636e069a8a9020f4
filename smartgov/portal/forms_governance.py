"""Forms of the governance pages: intake (hotline, citizen, field report), the lifecycle's
actions, the reporter's look-up and rating, and the configuration pages.

They shape the input only (lengths, numbers, choices); every rule — categories that exist,
points inside the city, transitions allowed from the current state, who may act — is checked
by governance.services, whose refusals the views put back on the form.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from smartgov.governance.models import CategoryKind, LimitUnit
from smartgov.portal.forms import StyledForm

MAX_TEXT = 5000
MAX_PHOTOS = 6


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Zero or more photos (jpg/png/webp), each checked again by the service."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photos"))
        kwargs.setdefault("help_text", _("Up to six photos (JPEG, PNG or WebP)."))
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            files = [single(d, initial) for d in data if d]
        else:
            files = [single(data, initial)] if data else []
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("At most six photos."), code="too_many_photos")
        return files


def _category_choices(categories, *, blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + [(c.code, f"{c.code} {c.name}") for c in categories]


class LocationMixin(forms.Form):
    lon = forms.FloatField(
        label=_("Longitude"), required=False, widget=forms.HiddenInput(), min_value=-180
    )
    lat = forms.FloatField(
        label=_("Latitude"), required=False, widget=forms.HiddenInput(), min_value=-90
    )

    def clean(self):
        data = super().clean()
        if (data.get("lon") is None) != (data.get("lat") is None):
            raise forms.ValidationError(
                _("Give both coordinates or neither."), code="half_coordinates"
            )
        return data


class HotlineIntakeForm(LocationMixin, StyledForm):
    """The 12345 agent records a call."""

    reporter_name = forms.CharField(label=_("Caller's name"), max_length=64, required=False)
    reporter_phone = forms.CharField(
        label=_("Caller's phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    anonymous = forms.BooleanField(
        label=_("The caller wants to stay anonymous"),
        required=False,
        help_text=_("The name and phone are not shown to the handling department."),
    )
    description = forms.CharField(
        label=_("What the caller reports"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    photos = PhotosField()
    field_order = [
        "reporter_name",
        "reporter_phone",
        "anonymous",
        "description",
        "address",
        "category",
        "photos",
        "lon",
        "lat",
    ]

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _category_choices(
            categories, blank=_("Let the classifier propose it")
        )
        # Live duplicate suggestions (HTMX) while the agent types or moves the map point.
        self.fields["description"].widget.attrs.update(
            {
                "hx-get": reverse("portal:governance_similar"),
                "hx-trigger": "input changed delay:600ms, sg-location from:body",
                "hx-include": "#id_lon, #id_lat",
                "hx-target": "#sg-similar",
                "hx-sync": "this:replace",
            }
        )


class CitizenReportForm(LocationMixin, StyledForm):
    """A citizen reports a problem in the portal."""

    description = forms.CharField(
        label=_("What is the problem?"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Say what, where and since when, e.g. “The streetlight at … is out.”"),
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    reporter_phone = forms.CharField(
        label=_("Phone for the reply"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
        help_text=_("With the case number it lets you follow the case without logging in."),
    )
    anonymous = forms.BooleanField(label=_("Do not show my name to the department"), required=False)
    photos = PhotosField()
    field_order = ["description", "address", "reporter_phone", "anonymous", "photos"]


class FieldReportForm(LocationMixin, StyledForm):
    """A grid worker or inspector reports what they see on patrol."""

    category = forms.ChoiceField(label=_("Category"))
    description = forms.CharField(
        label=_("Description"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    photos = PhotosField()
    field_order = ["category", "description", "address", "photos"]

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _category_choices(
            categories, blank=_("Choose a category…")
        )


class DispatchForm(StyledForm):
    category = forms.ChoiceField(label=_("Category"))
    department = forms.TypedChoiceField(
        label=_("Handling department"),
        coerce=int,
        required=False,
        help_text=_("Empty: the department the dispatch rules give for this category and place."),
    )
    comment = forms.CharField(
        label=_("Instructions"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, categories=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _category_choices(
            categories, blank=_("Choose a category…")
        )
        self.fields["department"].choices = [("", _("By the dispatch rules"))] + [
            (d.pk, d.name) for d in departments
        ]


class ReasonForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class OptionalCommentForm(StyledForm):
    comment = forms.CharField(label=_("Comment"), max_length=2000, required=False)


class CommentPhotosForm(StyledForm):
    """A progress note or the report back: text and photos."""

    comment = forms.CharField(
        label=_("Comment"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField()


class VerifyForm(StyledForm):
    passed = forms.TypedChoiceField(
        label=_("Result"),
        coerce=lambda v: v == "1",
        choices=[("1", _("Solved: close the case")), ("0", _("Not solved: send back for rework"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the case goes back for rework."),
    )
    photos = PhotosField()

    def clean(self):
        data = super().clean()
        if data.get("passed") is False and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say what is still wrong."))
        return data


class ExtensionForm(StyledForm):
    amount = forms.IntegerField(
        label=_("Extra time"),
        min_value=1,
        max_value=365,
        help_text=_("In the category's unit (working hours or working days)."),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeferralForm(StyledForm):
    until = forms.DateField(
        label=_("Deferred until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(StyledForm):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda v: v == "1",
        choices=[("1", _("Approve")), ("0", _("Reject"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment"), max_length=2000, required=False)


class MergeForm(StyledForm):
    duplicates = forms.CharField(
        label=_("Duplicate case numbers"),
        max_length=500,
        help_text=_("One or more case numbers, separated by spaces or commas."),
    )
    comment = forms.CharField(label=_("Comment"), max_length=2000, required=False)

    def clean_duplicates(self):
        raw = self.cleaned_data["duplicates"].replace("，", ",").replace(",", " ")
        numbers = [n.strip() for n in raw.split() if n.strip()]
        if not numbers:
            raise forms.ValidationError(_("Give at least one case number."))
        return numbers


class RevisitForm(StyledForm):
    level = forms.TypedChoiceField(label=_("Satisfaction"), coerce=int)
    reached = forms.BooleanField(label=_("The caller was reached"), required=False, initial=True)
    comment = forms.CharField(label=_("Comment"), max_length=2000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = RATING_CHOICES


RATING_CHOICES = [
    (5, _("Very satisfied")),
    (4, _("Satisfied")),
    (3, _("Neutral")),
    (2, _("Dissatisfied")),
    (1, _("Very dissatisfied")),
]


class RatingForm(StyledForm):
    level = forms.TypedChoiceField(
        label=_("How satisfied are you with the handling?"),
        coerce=int,
        choices=RATING_CHOICES,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LookupForm(StyledForm):
    number = forms.CharField(label=_("Case number"), max_length=24)
    phone = forms.CharField(
        label=_("Phone given when reporting"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )


class MapFilterForm(StyledForm):
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, statuses=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *statuses]
        self.fields["category"].choices = _category_choices(categories, blank=_("All categories"))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end is before the start."))
        return data


class CategoryForm(StyledForm):
    code = forms.CharField(label=_("Code"), max_length=16)
    name = forms.CharField(label=_("Name"), max_length=64)
    kind = forms.ChoiceField(label=_("Kind"), choices=CategoryKind.choices)
    parent = forms.ChoiceField(label=_("Major class"), required=False)
    time_limit = forms.IntegerField(
        label=_("Handling time limit"), min_value=1, max_value=1000, required=False
    )
    time_limit_unit = forms.ChoiceField(label=_("Unit"), choices=LimitUnit.choices)
    opening_condition = forms.CharField(
        label=_("Opening condition"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    closing_condition = forms.CharField(
        label=_("Closing condition"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    default_department = forms.TypedChoiceField(
        label=_("Default department"), coerce=int, required=False, empty_value=None
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        max_length=255,
        required=False,
        help_text=_("Words that point to this class, separated by spaces."),
    )

    def __init__(self, *args, majors=(), departments=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("None (this is a major class)"))] + [
            (c.code, f"{c.code} {c.name}") for c in majors
        ]
        self.fields["default_department"].choices = [("", _("None"))] + [
            (d.pk, d.name) for d in departments
        ]
        if editing:
            self.fields["code"].disabled = True
            self.fields["parent"].disabled = True


class RuleForm(StyledForm):
    category = forms.ChoiceField(label=_("Category"))
    region = forms.TypedChoiceField(label=_("District or street"), coerce=int)
    department = forms.TypedChoiceField(label=_("Handling department"), coerce=int)

    def __init__(self, *args, categories=(), regions=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _category_choices(
            categories, blank=_("Choose a category…")
        )
        self.fields["region"].choices = [("", _("Choose a region…"))] + [
            (r.pk, r.name if r.level == "county" else f"· {r.name}") for r in regions
        ]
        self.fields["department"].choices = [("", _("Choose a department…"))] + [
            (d.pk, d.name) for d in departments
        ]
