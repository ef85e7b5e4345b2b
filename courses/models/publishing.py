"""The module editor's guard for content changes after enrollment.

Publishing a new module into a course that learners have enrolled in changes what they must
do. The editor says how many learners that affects and asks the trainer to confirm before
the first publish. Learners who already completed keep their completion and certificate
(`courses.selectors.required_modules`); the module becomes required for those in progress.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.forms import WagtailAdminPageForm

CONFIRM_FIELD = "confirm_enrolled_learners"


def publish_impact_message(counts: dict) -> str:
    in_progress = ngettext(
        "%(count)d learner is in progress: the module becomes required for them.",
        "%(count)d learners are in progress: the module becomes required for them.",
        counts["in_progress"],
    ) % {"count": counts["in_progress"]}
    completed = ngettext(
        "%(count)d learner has completed the course and keeps their completion and "
        "certificate.",
        "%(count)d learners have completed the course and keep their completion and "
        "certificates.",
        counts["completed"],
    ) % {"count": counts["completed"]}
    return f"{in_progress} {completed}"


class ModulePageForm(WagtailAdminPageForm):
    confirm_enrolled_learners = forms.BooleanField(
        required=False,
        label=_(
            "I understand that publishing this module changes the course for "
            "enrolled learners"
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.publish_impact = self._publish_impact()
        if self.publish_impact is None:
            del self.fields[CONFIRM_FIELD]  # its panel hides itself
        else:
            self.fields[CONFIRM_FIELD].help_text = publish_impact_message(
                self.publish_impact
            )

    def _publish_impact(self) -> dict | None:
        """Learner counts when publishing would add this module to a course with
        enrollments; None when it is already live there or nobody is enrolled."""
        if self.instance.pk and self.instance.live:
            return None  # already part of the course (a new page is "live" until saved)
        course = self.parent_page
        if course is None and self.instance.pk:
            course = self.instance.get_parent()
        course = getattr(course, "specific", None)
        if not hasattr(course, "enrolments"):
            return None
        counts = course.enrolments.learner_counts()
        return counts if counts["in_progress"] or counts["completed"] else None

    def clean(self):
        cleaned = super().clean()
        publishing = "action-publish" in self.data
        if self.publish_impact and publishing and not cleaned.get(CONFIRM_FIELD):
            self.add_error(
                CONFIRM_FIELD,
                _(
                    "Learners are enrolled in this course. Read what publishing changes, "
                    "tick the box, then publish again."
                ),
            )
        return cleaned
