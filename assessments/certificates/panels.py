"""What the certificate domain adds to learner pages: the certificate panel on the course
page, and the dashboard's status and next step for each course."""

from courses.access import has_course_access
from courses.memo import on_page

from . import selectors


def _status(request, course) -> dict:
    return on_page(
        course,
        ("learner_course_status", request.user.pk),
        lambda: selectors.learner_course_status(request.user, course),
    )


def certificate_panel(request, course) -> dict | None:
    if not course.awards_ce or not has_course_access(request.user, course):
        return None
    status = _status(request, course)
    certificate = status["certificate"]
    return {
        "template": "assessments/certificates/includes/certificate_panel.html",
        "course": course,
        "certificate": certificate,
        "status": status,
        "eligibility": None
        if certificate
        else selectors.certificate_eligibility(request.user, course),
        "evaluation_open": status["key"] == "evaluation_due",
    }


def dashboard_status(request, course) -> dict | None:
    """The dashboard's status for a course: never "Completed" while a step is left."""
    if not has_course_access(request.user, course):
        return None
    return _status(request, course)


def dashboard_next_step(request, course) -> dict | None:
    if not has_course_access(request.user, course):
        return None
    status = _status(request, course)
    if status["next"] is None:
        return None
    return {
        "template": "assessments/certificates/includes/next_step.html",
        "next": status["next"],
    }
