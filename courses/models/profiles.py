from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Profession(models.TextChoices):
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    PSYCHIATRIST = "psychiatrist", _("Psychiatrist")
    PHYSICIAN = "physician", _("Physician")
    NURSE_PRACTITIONER = "nurse_practitioner", _("Nurse practitioner")
    REGISTERED_NURSE = "registered_nurse", _("Registered nurse")
    LCSW = "lcsw", _("Licensed clinical social worker (LCSW)")
    LPC = "lpc", _("Licensed professional counselor (LPC/LMHC)")
    LMFT = "lmft", _("Licensed marriage and family therapist (LMFT)")
    OTHER = "other", _("Other (please specify)")


class LicensureStatus(models.TextChoices):
    LICENSED = "licensed", _("Licensed")
    PRE_LICENSED = "pre_licensed", _("Pre-licensed (in supervised training)")


class LearnerProfile(models.Model):
    """The professional identity printed on certificates."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="learner_profile",
    )
    legal_name = models.CharField(
        max_length=200, help_text=_("Exactly as it should appear on certificates.")
    )
    licensure_status = models.CharField(
        max_length=20,
        choices=LicensureStatus.choices,
        default=LicensureStatus.LICENSED,
    )
    profession = models.CharField(max_length=30, choices=Profession.choices)
    profession_other = models.CharField(
        max_length=100, blank=True, help_text=_("Your profession, if not listed.")
    )
    licence_number = models.CharField(_("license number"), max_length=60, blank=True)
    licence_jurisdiction = models.CharField(
        _("license jurisdiction"),
        max_length=100,
        blank=True,
        help_text=_("The state, province or country that issued the license."),
    )
    licence_in_good_standing = models.BooleanField(
        _("license in good standing"),
        default=False,
        help_text=_("I confirm that my license is current and in good standing."),
    )
    supervisor_name = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("The licensed clinician who supervises your training."),
    )
    training_program = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Your degree or training program, and where."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("learner profile")

    def __str__(self):
        return self.legal_name

    @property
    def is_pre_licensed(self) -> bool:
        return self.licensure_status == LicensureStatus.PRE_LICENSED

    def missing_fields(self) -> dict[str, str]:
        """What a certificate still needs, by field: licensed clinicians give their
        license; pre-licensed trainees give their supervisor and training program."""
        missing = {}
        if not self.legal_name.strip():
            missing["legal_name"] = _("Enter your legal name.")
        if not self.profession:
            missing["profession"] = _("Choose your profession.")
        elif self.profession == Profession.OTHER and not self.profession_other.strip():
            missing["profession_other"] = _("Tell us your profession.")
        if self.is_pre_licensed:
            if not self.supervisor_name.strip():
                missing["supervisor_name"] = _("Enter your clinical supervisor's name.")
            if not self.training_program.strip():
                missing["training_program"] = _("Enter your training program.")
        else:
            if not self.licence_number.strip():
                missing["licence_number"] = _("Enter your license number.")
            if not self.licence_jurisdiction.strip():
                missing["licence_jurisdiction"] = _(
                    "Enter the state, province or country that issued your license."
                )
            if not self.licence_in_good_standing:
                missing["licence_in_good_standing"] = _(
                    "Please confirm that your license is in good standing."
                )
        return missing

    def clean(self):
        missing = self.missing_fields()
        if missing:
            raise ValidationError(missing)

    @property
    def is_complete(self) -> bool:
        return not self.missing_fields()

    @property
    def profession_label(self) -> str:
        if self.profession == Profession.OTHER and self.profession_other.strip():
            return self.profession_other.strip()
        return self.get_profession_display()

    @property
    def licensure_summary(self) -> str:
        """The learner's status in words, as certificates record it."""
        if self.is_pre_licensed:
            return _(
                "Pre-licensed trainee, supervised by %(supervisor)s (%(program)s)"
            ) % {
                "supervisor": self.supervisor_name.strip(),
                "program": self.training_program.strip(),
            }
        return str(LicensureStatus.LICENSED.label)
