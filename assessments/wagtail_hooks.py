"""What assessments adds to Wagtail and to courses, through their hooks (courses.hooks)."""

from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import ListingButton

from courses import hooks as course_hooks
from courses import page_cache
from courses.models import CoursePage

from . import panels, selectors, views_admin, viewsets
from .certificates import panels as certificate_panels
from .certificates import selectors as certificate_selectors
from .certificates import services as certificate_services
from .certificates import viewsets as certificate_viewsets
from .certificates.views_learner_chooser import learner_chooser_viewset

viewsets.register_permission_policies()
certificate_viewsets.register_permission_policies()

hooks.register(course_hooks.MODULE_REQUIREMENT, selectors.module_quiz_passed)
hooks.register(course_hooks.MODULE_PANELS, panels.module_quiz_panel)
# The post-test comes before the certificate on the course page.
hooks.register(course_hooks.COURSE_PANELS, panels.post_test_panel, order=0)
hooks.register(
    course_hooks.COURSE_PANELS, certificate_panels.certificate_panel, order=1
)
hooks.register(course_hooks.DASHBOARD_LINES, panels.dashboard_panel)
hooks.register(course_hooks.DASHBOARD_LINES, certificate_panels.dashboard_next_step)
hooks.register(course_hooks.DASHBOARD_STATUS, certificate_panels.dashboard_status)

# Programmes (courses.programmes): certificate status in a manager's learner report, and
# the automatic certificate when an approval or attendance completes the requirements.
hooks.register(
    course_hooks.LEARNER_REPORT, certificate_selectors.certificate_status_report
)


@hooks.register(course_hooks.REQUIREMENTS_CHANGED)
def issue_certificate_when_eligible(*, user, course):
    if course.awards_ce:
        certificate_services.certificate_issue_if_eligible(user=user, course=course)


hooks.register(course_hooks.MODULE_EDITOR_PANELS, views_admin.module_quiz_editor_panel)
hooks.register(course_hooks.LEARNER_STATE, selectors.learner_quiz_states)
hooks.register(
    course_hooks.LEARNER_STATE, certificate_selectors.learner_certificate_state
)


# Before courses keeps the route (its own before_serve_page hook has the default order).
@hooks.register("before_serve_page", order=-1)
def keep_quizzes_with_the_route(page, request, serve_args, serve_kwargs):
    if page_cache.route_to_remember(request):
        selectors.keep_quizzes_with_the_route(page)


@hooks.register(course_hooks.ROLE_PERMISSIONS)
def assessments_role_permissions():
    return {
        "Trainers": [
            ("assessments", "add_question"),
            ("assessments", "change_question"),
            ("assessments", "view_question"),
            ("assessments", "add_quiz"),
            ("assessments", "change_quiz"),
            ("assessments", "view_quiz"),
            ("assessments", "view_attempt"),
            ("assessments", "add_evaluationform"),
            ("assessments", "change_evaluationform"),
            ("assessments", "view_evaluationform"),
        ],
        "Certificate administrators": [
            ("assessments", "view_quiz"),
            ("assessments", "view_attempt"),
            ("assessments", "add_attemptgrant"),
            ("assessments", "view_attemptgrant"),
            ("assessments", "add_certificate"),
            ("assessments", "view_certificate"),
            ("assessments", "revoke_certificate"),
            ("assessments", "view_auditevent"),
            ("assessments", "view_evaluationform"),
            ("assessments", "view_evaluationresponse"),
        ],
    }


@hooks.register("register_admin_viewset")
def register_assessments_admin():
    return viewsets.assessments_viewset_group


@hooks.register("register_admin_viewset")
def register_certificates_admin():
    return certificate_viewsets.certificates_viewset_group


@hooks.register(course_hooks.ASSESSMENT_ITEMS)
def quiz_and_evaluation_items(course, modules):
    """Quiz questions and evaluation items count toward a course's computed study time."""
    return selectors.study_time_items(course, modules)


@hooks.register("register_admin_viewset")
def register_learner_chooser():
    return learner_chooser_viewset


# --- Trainers: course outline, admin home ---------------------------------------------


@hooks.register("register_admin_urls")
def register_trainer_urls():
    return [
        path("course-outlines/", views_admin.course_outlines, name="course_outlines"),
        path(
            "course-outlines/<int:course_id>/",
            views_admin.course_outline,
            name="course_outline",
        ),
    ]


class CourseOutlinesMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(views_admin.editable_courses(request.user))


@hooks.register("register_admin_menu_item")
def register_course_outlines_menu_item():
    return CourseOutlinesMenuItem(
        _("Course outlines"),
        reverse("course_outlines"),
        icon_name="list-ul",
        name="course-outlines",
        order=305,
    )


@hooks.register("register_page_listing_buttons")
def course_outline_button(page, user, next_url=None):
    if page.specific_class is CoursePage and page.permissions_for_user(user).can_edit():
        yield ListingButton(
            _("Outline"), reverse("course_outline", args=[page.pk]), priority=15
        )


@hooks.register("construct_homepage_panels")
def add_trainer_home_panel(request, panels_list):
    if views_admin.editable_courses(request.user):
        panels_list.append(views_admin.TrainerHomePanel(request.user))


@hooks.register("insert_global_admin_css")
def quiz_builder_css():
    return format_html(
        '<link rel="stylesheet" href="{}">', static("assessments/quiz_builder.css")
    )
