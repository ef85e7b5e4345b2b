"""Reads: catalogue queries, what a user may see, progress summaries."""

from django.db.models import Exists, OuterRef, QuerySet

from .models.pages import CoursePage, ModuleKind, ModulePage


def catalogue_filters_from_query(query) -> dict:
    """Keep only filter values we understand, so odd query strings never error."""
    topic = query.get("topic", "")
    ce = query.get("ce", "")
    return {
        "topic": topic if topic in ModuleKind.values else "",
        "ce": ce if ce in {"yes", "no"} else "",
    }


def catalogue_courses(
    catalogue, *, topic: str = "", ce: str = ""
) -> QuerySet[CoursePage]:
    courses = CoursePage.objects.child_of(catalogue).live().public().order_by("path")
    if topic:
        # A course's topics are the kinds of its live modules: derived, never stored twice.
        courses = courses.filter(
            Exists(
                ModulePage.objects.live().filter(
                    kind=topic,
                    path__startswith=OuterRef("path"),
                    depth=OuterRef("depth") + 1,
                )
            )
        )
    if ce == "yes":
        courses = courses.filter(ce_hours__gt=0)
    elif ce == "no":
        courses = courses.filter(ce_hours=0)
    return courses.select_related("hero_image")


def course_modules(course: CoursePage) -> list[ModulePage]:
    return course.modules  # cached on the page object for this request


def completed_module_ids(user, modules) -> set[int]:
    from .models import ModuleProgress

    if not user.is_authenticated or not modules:
        return set()
    return set(
        ModuleProgress.objects.filter(
            user=user, module__in=[m.pk for m in modules], completed_at__isnull=False
        ).values_list("module_id", flat=True)
    )


def completed_module_ids_in(user, course: CoursePage) -> set[int]:
    """Completed modules of this course, once per page object."""
    from .memo import on_page

    return on_page(
        course,
        ("completed", getattr(user, "pk", None)),
        lambda: completed_module_ids(user, course.modules),
    )


def course_progress(user, modules, *, done: set[int] | None = None) -> dict:
    done = completed_module_ids(user, modules) if done is None else done
    total = len(modules)
    next_module = next((m for m in modules if m.pk not in done), None)
    return {
        "completed_ids": done,
        "completed": len(done),
        "total": total,
        "percent": round(100 * len(done) / total) if total else 0,
        "next_module": next_module,
    }


def dashboard_rows(user) -> list[dict]:
    from .models import Enrolment

    rows = []
    enrolments = (
        Enrolment.objects.filter(user=user)
        .select_related("course")
        .order_by("-activated_at", "-pk")
    )
    for enrolment in enrolments:
        modules = course_modules(enrolment.course)
        rows.append(
            {
                "enrolment": enrolment,
                "course": enrolment.course,
                **course_progress(user, modules),
            }
        )
    return rows


def visible_pages(user):
    """Live, public pages minus the modules this user may not open: what search may list."""
    from wagtail.models import Page

    from .access import gated_module_ids

    return Page.objects.live().public().exclude(id__in=list(gated_module_ids(user)))


def course_learner_state(user, course: CoursePage, modules: list[ModulePage]) -> dict:
    """What the course page needs to show this user: enrol button, progress, locks."""
    from .access import can_preview, enrolment_for
    from .models import ACCESS_STATUSES, LearnerProfile

    enrolment = enrolment_for(user, course)
    enrolled = bool(enrolment and enrolment.status in ACCESS_STATUSES)
    preview = can_preview(user, course)
    progress = (
        course_progress(user, modules, done=completed_module_ids_in(user, course))
        if enrolled
        else None
    )
    locked_ids: set[int] = set()
    if enrolled and course.modules_in_order and progress["next_module"]:
        first_open = modules.index(progress["next_module"])
        locked_ids = {
            m.pk
            for m in modules[first_open + 1 :]
            if m.pk not in progress["completed_ids"]
        }
    profile_needed = False
    if user.is_authenticated and course.awards_ce and not enrolled:
        profile = LearnerProfile.objects.filter(user=user).first()
        profile_needed = not (profile and profile.is_complete)
    from . import conf

    return {
        "login_url": conf.login_url(),
        "signup_url": conf.signup_url(),
        "enrolment": enrolment,
        "enrolled": enrolled,
        "can_open_modules": enrolled or preview,
        "staff_preview": preview and not enrolled,
        "progress": progress,
        "locked_ids": locked_ids,
        "profile_needed": profile_needed,
    }
