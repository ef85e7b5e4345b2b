"""Programme forms. Choices are narrowed on the server to what the user may pick."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Cohort, ConsultationKind, CoursePage
from .identifiers import GUIDANCE, client_identifiers, identifier_message
from .services import MAX_SEATS_PER_ORDER


class BuySeatsForm(forms.Form):
    course = forms.ModelChoiceField(
        queryset=CoursePage.objects.none(), empty_label=None
    )
    quantity = forms.IntegerField(
        label=_("Number of seats"),
        min_value=1,
        max_value=MAX_SEATS_PER_ORDER,
        initial=3,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = (
            CoursePage.objects.live().public().filter(price__gt=0).order_by("title")
        )
        self.fields["course"].label_from_instance = lambda c: (
            _("%(course)s (%(currency)s %(price)s per seat)")
            % {"course": c.title, "currency": c.currency, "price": c.price}
        )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Clinician's email"))
    course = forms.ModelChoiceField(
        queryset=CoursePage.objects.none(), empty_label=None
    )
    cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.none(),
        required=False,
        empty_label=_("Self-paced (no cohort)"),
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        course_ids = organization.seats.values("course_id")
        self.fields["course"].queryset = CoursePage.objects.filter(
            pk__in=course_ids
        ).order_by("title")
        self.fields["cohort"].queryset = Cohort.objects.filter(
            course_id__in=course_ids, open_for_enrollment=True
        ).select_related("course")
        self.fields["cohort"].label_from_instance = lambda c: (
            _("%(course)s: %(cohort)s (starts %(date)s)")
            % {
                "course": c.course.title,
                "cohort": c.name,
                "date": f"{c.starts_on:%B %-d, %Y}",
            }
        )


class ConsultationForm(forms.Form):
    consultant = forms.ModelChoiceField(
        queryset=None, empty_label=_("Choose a consultant")
    )
    held_on = forms.DateField(
        label=_("Date of the consultation"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    kind = forms.ChoiceField(
        label=_("Individual or group"), choices=ConsultationKind.choices
    )
    minutes = forms.IntegerField(
        label=_("Length in minutes"), min_value=15, max_value=480
    )
    reflection = forms.CharField(
        label=_("What you learned (a short reflection)"),
        max_length=1500,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=GUIDANCE,
    )

    def __init__(self, *args, consultants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = consultants
        self.fields["consultant"].label_from_instance = lambda u: (
            u.get_full_name() or u.email
        )

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return held_on

    def clean_reflection(self):
        text = self.cleaned_data["reflection"]
        found = client_identifiers(text)
        if found:
            raise forms.ValidationError(identifier_message(found))
        return text


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("return", _("Return with a comment"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not data.get("comment", "").strip():
            self.add_error("comment", _("Say what the learner should change."))
        return data
