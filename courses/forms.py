import re

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .models import LearnerProfile, LicensureStatus, Profession

# Fields only one licensure path asks for; the other path's values are cleared on save.
LICENSED_FIELDS = ["licence_number", "licence_jurisdiction", "licence_in_good_standing"]
PRE_LICENSED_FIELDS = ["supervisor_name", "training_program"]


class LearnerProfileForm(forms.ModelForm):
    licensure_status = forms.ChoiceField(
        label=_("Your status"),
        choices=LicensureStatus.choices,
        initial=LicensureStatus.LICENSED,
        required=False,
        widget=forms.RadioSelect,
    )
    licence_in_good_standing = forms.BooleanField(
        required=False,
        label=_("I confirm that my license is current and in good standing."),
    )

    class Meta:
        model = LearnerProfile
        fields = [
            "legal_name",
            "licensure_status",
            "profession",
            "profession_other",
            *LICENSED_FIELDS,
            *PRE_LICENSED_FIELDS,
        ]
        labels = {
            "legal_name": _("Legal name (as it should appear on certificates)"),
            "profession": _("Profession or credential"),
            "profession_other": _("If other, please specify"),
            "licence_number": _("License number"),
            "licence_jurisdiction": _(
                "Licensing jurisdiction (state, province or country)"
            ),
            "supervisor_name": _("Clinical supervisor's name"),
            "training_program": _("Training program"),
        }
        help_texts = {"legal_name": "", "licence_jurisdiction": ""}

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("licensure_status") or LicensureStatus.LICENSED
        cleaned["licensure_status"] = status
        unused = (
            LICENSED_FIELDS
            if status == LicensureStatus.PRE_LICENSED
            else PRE_LICENSED_FIELDS
        )
        for name in unused:
            cleaned[name] = False if name == "licence_in_good_standing" else ""
        if cleaned.get("profession") != Profession.OTHER:
            cleaned["profession_other"] = ""
        # The model's clean() then asks for what this path needs (ModelForm._post_clean).
        return cleaned

    @property
    def licensed_fields(self):
        return [self[name] for name in LICENSED_FIELDS]

    @property
    def pre_licensed_fields(self):
        return [self[name] for name in PRE_LICENSED_FIELDS]

    @property
    def common_fields(self):
        return [self["legal_name"], self["profession"], self["profession_other"]]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Recorded in the enrollment history.",
    )


OBJECT_ID = re.compile(r"[0-9]{1,18}")


def _object_ids(value) -> bool:
    """Empty, or ids that fit a 64-bit key (one, or a list)."""
    values = value if isinstance(value, (list, tuple)) else [value]
    return all(v in (None, "") or OBJECT_ID.fullmatch(str(v)) for v in values)


class UnreadableInputMixin:
    """For admin forms: input that only a hand-made request sends is a form error, not a 500.

    Wagtail's widgets trust that they receive what the admin's own JavaScript wrote: rich
    text that is not Draftail's JSON raises inside the widget, and a chooser re-rendering a
    value that is not an id raises looking it up. Django's model choice fields look an id up
    before checking its range, which SQLite refuses past 64 bits. Such a field reads as empty
    here and the form reports it, like any other bad input."""

    unreadable_message = (
        "This field could not be read. Please reload the page and try again."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._id_fields = {
            self.add_prefix(name)
            for name, field in self.fields.items()
            if isinstance(field, forms.ModelChoiceField)
        }
        self._unreadable_fields = set()

    def _widget_data_value(self, widget, html_name):
        try:
            value = super()._widget_data_value(widget, html_name)
        except (ValueError, TypeError, AttributeError, KeyError):
            self._unreadable_fields.add(html_name)
            return None
        if html_name in self._id_fields and not _object_ids(value):
            self._unreadable_fields.add(html_name)
            return None
        return value

    def clean(self):
        cleaned = super().clean()
        for name in list(self.fields):
            if self.add_prefix(name) in self._unreadable_fields:
                self.add_error(name, self.unreadable_message)
        return cleaned


class AdminModelForm(UnreadableInputMixin, WagtailAdminModelForm):
    """The base form of the plugin's admin screens."""
