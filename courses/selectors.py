"""Reads: catalogue queries, what a user may see, progress summaries."""

import hashlib
from datetime import timedelta
from functools import reduce
from operator import or_

from django.db.models import (
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone

from .models.pages import CoursePage, ModuleKind, ModulePage

# Revisiting a module records the visit (last_visited_at, and completion if its
# requirements are now met) at most this often, so reading is not a write every time.
VISIT_REFRESH_INTERVAL = timedelta(minutes=15)
CATALOGUE_CARD_RENDITION = "fill-640x320"


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
    from wagtail.images import get_image_model

    renditions = (
        get_image_model()
        .get_rendition_model()
        .objects.filter(filter_spec=CATALOGUE_CARD_RENDITION)
    )
    # The card image of every course in one query, not one per card.
    return courses.select_related("hero_image").prefetch_related(
        Prefetch(
            "hero_image__renditions",
            queryset=renditions,
            to_attr="prefetched_renditions",
        )
    )


def pages_cache_key(pages) -> str:
    """One key for a list of pages: changes when any is published, moved, added, removed
    or reordered. Wagtail's Page.cache_key covers id, URL path and last publication."""
    digest = hashlib.md5(usedforsecurity=False)
    for page in pages:
        digest.update(page.cache_key.encode())
    return digest.hexdigest()


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


def module_progress_in(user, course: CoursePage) -> dict[int, tuple]:
    """This user's progress in the course's live modules: {module id: (completed_at,
    last_visited_at)}, only for modules they have opened. Once per page render.

    If the course's module list is not loaded yet, it is loaded in the same query (a left
    join on this user's progress rows), so the list and the progress cost one query.
    """
    from .memo import on_page

    if not user.is_authenticated:
        return {}
    return on_page(
        course, ("progress", user.pk), lambda: _load_module_progress(user, course)
    )


def _load_module_progress(user, course: CoursePage) -> dict[int, tuple]:
    from .models import ModuleProgress

    if "modules" in course.__dict__:
        rows = ModuleProgress.objects.filter(
            user=user, module__in=[m.pk for m in course.modules]
        ).values_list("module_id", "completed_at", "last_visited_at")
        return {module_id: (done, visited) for module_id, done, visited in rows}
    modules = course.adopt_modules(
        ModulePage.objects.child_of(course)
        .live()
        .defer_streamfields()
        .order_by("path")
        .annotate(
            mine=FilteredRelation("progress", condition=Q(progress__user=user)),
            learner_completed_at=F("mine__completed_at"),
            learner_visited_at=F("mine__last_visited_at"),
        )
    )
    progress = {}
    for module in modules:
        # Per-user values do not stay on the shared module objects.
        done = module.__dict__.pop("learner_completed_at")
        visited = module.__dict__.pop("learner_visited_at")
        if visited is not None:
            progress[module.pk] = (done, visited)
    return progress


def completed_module_ids_in(user, course: CoursePage) -> set[int]:
    """Completed modules of this course, once per page object."""
    return {
        module_id
        for module_id, (done, _visited) in module_progress_in(user, course).items()
        if done is not None
    }


def module_visit_needs_recording(user, module: ModulePage) -> bool:
    """Whether opening this module should go through progress_record_visit (a write).

    On a first visit, and then at most once per VISIT_REFRESH_INTERVAL, so reading a
    module is not a write every time. Completion never waits for a visit: a passed quiz
    completes the module at once (assessments calls progress_refresh); a visit only
    catches up with requirements that changed on their own, such as a retired quiz.
    """
    state = module_progress_in(user, module.course).get(module.pk)
    if state is None:
        return True
    return timezone.now() - state[1] >= VISIT_REFRESH_INTERVAL


def course_progress(user, modules, *, done: set[int] | None = None) -> dict:
    done = completed_module_ids(user, modules) if done is None else done
    done = done & {m.pk for m in modules}
    total = len(modules)
    next_module = next((m for m in modules if m.pk not in done), None)
    return {
        "completed_ids": done,
        "completed": len(done),
        "total": total,
        "percent": round(100 * len(done) / total) if total else 0,
        "next_module": next_module,
    }


def load_course_modules(courses: list[CoursePage]) -> None:
    """Fill `modules` on many courses with one query (for lists of courses)."""
    courses = [c for c in courses if "modules" not in c.__dict__]
    if not courses:
        return
    by_path = {c.path: [] for c in courses}
    modules = (
        ModulePage.objects.live()
        .defer_streamfields()
        .filter(
            reduce(
                or_,
                (Q(path__startswith=c.path, depth=c.depth + 1) for c in courses),
            )
        )
        .order_by("path")
    )
    steplen = CoursePage.steplen
    for module in modules:
        by_path[module.path[:-steplen]].append(module)
    for course in courses:
        course.adopt_modules(by_path[course.path])


def dashboard_rows(user) -> list[dict]:
    from .models import Enrolment

    enrolments = list(
        Enrolment.objects.filter(user=user)
        .select_related("course")
        .order_by("-activated_at", "-pk")
    )
    courses = [enrolment.course for enrolment in enrolments]
    # Every course's modules and the learner's progress: two queries, whatever the count.
    load_course_modules(courses)
    done = completed_module_ids(user, [m for c in courses for m in c.modules])
    return [
        {
            "enrolment": enrolment,
            "course": enrolment.course,
            **course_progress(user, enrolment.course.modules, done=done),
        }
        for enrolment in enrolments
    ]


def visible_pages(user):
    """Live, public pages minus the modules this user may not open: what search may list."""
    from wagtail.models import Page

    from .access import gated_module_ids

    return Page.objects.live().public().exclude(id__in=list(gated_module_ids(user)))


def course_learner_state(
    user, course: CoursePage, modules: list[ModulePage] | None = None
) -> dict:
    """What the course page needs to show this user: enrol button, progress, locks."""
    from .access import can_preview, enrolment_for
    from .models import ACCESS_STATUSES, LearnerProfile

    enrolment = enrolment_for(user, course)
    enrolled = bool(enrolment and enrolment.status in ACCESS_STATUSES)
    preview = can_preview(user, course)
    progress = None
    locked_ids: set[int] = set()
    if enrolled:
        done = completed_module_ids_in(user, course)  # loads the module list with it
        modules = course.modules if modules is None else modules
        progress = course_progress(user, modules, done=done)
        if course.modules_in_order and progress["next_module"]:
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
