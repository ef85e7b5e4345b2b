"""What programmes adds to courses and to Wagtail. Imported by `courses.wagtail_hooks`
(Wagtail only looks for an app's own wagtail_hooks module)."""

from wagtail import hooks

from .. import hooks as course_hooks
from ..access import has_course_access
from ..selectors import enrolment_for
from . import selectors, services
from .viewsets import programmes_viewset_group, register_permission_policies

register_permission_policies()

hooks.register(course_hooks.ORDER_PAID, services.order_deliver_seats)
hooks.register(course_hooks.ORDER_REFUNDED, services.order_remove_refunded_seats)
hooks.register(course_hooks.LEARNER_STATE, selectors.learner_programme_state)


@hooks.register(course_hooks.COURSE_PAGE_CONTEXT)
def programme_page_context(request, course) -> dict:
    """Release dates of this learner's scheduled modules, and the cohorts open to join."""
    user = request.user
    enrolment = enrolment_for(user, course)
    enrolled = bool(enrolment and enrolment.gives_access)
    return {
        "release_locks": selectors.release_locks(user, course, enrolment)
        if enrolled
        else {},
        "open_cohorts": [] if enrolled else selectors.open_cohorts(course),
    }


@hooks.register(course_hooks.COURSE_PANELS, order=5)
def programme_panel(request, course) -> dict | None:
    """Cohort, live sessions (join links only for this cohort's enrolled learners) and
    consultation hours, for a learner with access."""
    user = request.user
    if not user.is_authenticated or not has_course_access(user, course):
        return None
    cohort = selectors.cohort_for(user, course)
    wants_consultation = course.consultation_hours_required > 0
    if cohort is None and not wants_consultation and not course.live_hours_required:
        return None
    approved = selectors.hours(selectors.approved_consultation_minutes(user, course))
    return {
        "template": "courses/programmes/includes/programme_panel.html",
        "course": course,
        "cohort": cohort,
        "sessions": selectors.live_sessions_for_learner(user, course),
        "live_hours": selectors.hours_text(
            selectors.hours(selectors.live_minutes(user, course))
        ),
        "live_required": selectors.hours_text(course.live_hours_required),
        "consultation": wants_consultation,
        "approved_hours": selectors.hours_text(approved),
        "required_hours": selectors.hours_text(course.consultation_hours_required),
    }


@hooks.register(course_hooks.ROLE_PERMISSIONS)
def programme_role_permissions():
    return {
        "Trainers": [
            ("courses", "add_cohort"),
            ("courses", "change_cohort"),
            ("courses", "view_cohort"),
            ("courses", "add_livesession"),
            ("courses", "change_livesession"),
            ("courses", "view_livesession"),
            ("courses", "change_liveattendance"),
        ],
        "Certificate administrators": [
            ("courses", "add_organization"),
            ("courses", "change_organization"),
            ("courses", "view_organization"),
            ("courses", "add_organizationmanager"),
            ("courses", "view_organizationmanager"),
            ("courses", "delete_organizationmanager"),
            ("courses", "view_consultation"),
            ("courses", "view_programmeauditevent"),
        ],
    }


@hooks.register("register_admin_viewset")
def register_programmes_admin():
    return programmes_viewset_group
