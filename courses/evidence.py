"""Evidence grades, defined once.

Every reference in a module and every question's reference carries one of these grades.
The admin choices and help text, the legend on each module page and the tooltips all read
from here, so the grades mean the same thing wherever a trainer picks one or a learner
reads one.
"""

from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class EvidenceGrade:
    code: str
    name: str
    definition: str

    @property
    def summary(self) -> str:
        return format_lazy("{}: {}", self.name, self.definition)


GRADES = [
    EvidenceGrade(
        "H",
        _("High"),
        _(
            "systematic review, randomized trial, or a regulator's label or guidance "
            "(for example the FDA or DEA)"
        ),
    ),
    EvidenceGrade(
        "M",
        _("Moderate"),
        _(
            "observational study, professional guideline or consensus statement, "
            "professional ethics code"
        ),
    ),
    EvidenceGrade(
        "L",
        _("Low"),
        _(
            "case series, chart review, expert or practice opinion, clinic or training "
            "websites, blogs"
        ),
    ),
]
GRADES_BY_CODE = {grade.code: grade for grade in GRADES}
GRADE_CODES = [grade.code for grade in GRADES]

# Choices for the admin: the definition is in the label, so picking a grade means
# reading what it requires.
EVIDENCE_GRADE_CHOICES = [
    (grade.code, format_lazy("{} ({}): {}", grade.code, grade.name, grade.definition))
    for grade in GRADES
]

# Short labels for lists and filters, where the help text carries the definitions.
EVIDENCE_GRADE_SHORT_CHOICES = [
    (grade.code, format_lazy("{} ({})", grade.code, grade.name)) for grade in GRADES
]

EVIDENCE_GRADE_HELP = _(
    "Grade the source, not the claim. H: systematic review, randomized trial, or a "
    "regulator's label or guidance. M: observational study, professional guideline or "
    "consensus statement (a professional society's guidance is M, not H). L: case "
    "series, chart review, expert or practice opinion. Clinic or training-program "
    "websites, blogs, press releases and summary sites are never H: cite the primary "
    "source they summarize instead."
)


def grade_summary(code: str) -> str:
    grade = GRADES_BY_CODE.get(code)
    return str(grade.summary) if grade else ""
