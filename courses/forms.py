from django import forms

from .models import LearnerProfile


class LearnerProfileForm(forms.ModelForm):
    licence_in_good_standing = forms.BooleanField(
        required=True,
        label="I confirm that my licence is current and in good standing.",
        error_messages={
            "required": "Please confirm that your licence is in good standing."
        },
    )

    class Meta:
        model = LearnerProfile
        fields = [
            "legal_name",
            "profession",
            "licence_number",
            "licence_jurisdiction",
            "licence_in_good_standing",
        ]
        labels = {
            "legal_name": "Legal name (as it should appear on certificates)",
            "profession": "Profession or credential",
            "licence_number": "Licence number",
            "licence_jurisdiction": "Licensing jurisdiction (state, province or country)",
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Recorded in the enrolment history.",
    )
