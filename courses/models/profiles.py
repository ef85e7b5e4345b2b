from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Profession(models.TextChoices):
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    PSYCHIATRIST = "psychiatrist", _("Psychiatrist")
    PHYSICIAN = "physician", _("Physician")
    NURSE_PRACTITIONER = "nurse_practitioner", _("Nurse practitioner")
    REGISTERED_NURSE = "registered_nurse", _("Registered nurse")
    LCSW = "lcsw", _("Licensed clinical social worker (LCSW)")
    LPC = "lpc", _("Licensed professional counsellor (LPC/LMHC)")
    LMFT = "lmft", _("Licensed marriage and family therapist (LMFT)")
    OTHER = "other", _("Other")


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
    profession = models.CharField(max_length=30, choices=Profession.choices)
    licence_number = models.CharField(max_length=60)
    licence_jurisdiction = models.CharField(
        max_length=100,
        help_text=_("The state, province or country that issued the licence."),
    )
    licence_in_good_standing = models.BooleanField(
        default=False,
        help_text=_("I confirm that my licence is current and in good standing."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("learner profile")

    def __str__(self):
        return self.legal_name

    @property
    def is_complete(self) -> bool:
        return all(
            [
                self.legal_name.strip(),
                self.profession,
                self.licence_number.strip(),
                self.licence_jurisdiction.strip(),
                self.licence_in_good_standing,
            ]
        )
