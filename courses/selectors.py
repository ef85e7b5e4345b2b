"""Reads: catalogue queries, what a user may see, progress summaries."""

from datetime import timedelta
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils import timezone

from . import conf, learner_state
from .memo import on_page
from .models import ACCESS_STATUSES, Enrolment, ModuleProgress
from .models.pages import CoursePage, ModulePage

# Revisiting a module records the visit (last_visited_at, and completion if its
# requirements are now met) at most this often, so reading is not a write every time.
VISIT_REFRESH_INTERVAL = timedelta(minutes=15)


def course_modules(course: CoursePage) -> list[ModulePage]:
    return course.modules  # cached on the page object for this request


def completed_module_ids(user, modules) -> set[int]:
    if not user.is_authenticated or not modules:
        return set()
    return set(
        ModuleProgress.objects.filter(
            user=user, module__in=[m.pk for m in modules], completed_at__isnull=False
        ).values_list("module_id", flat=True)
    )


def module_progress_in(user, course: CoursePage) -> dict[int, tuple]:
    """This user's progress in the course's live modules: {module id: (completed_at,
    last_visited_at)}, only for modules they have opened (the cached learner state)."""
    return learner_state.get(user, course).progress


def completed_module_ids_in(user, course: CoursePage) -> set[int]:
    """Completed live modules of this course (the cached learner state)."""
    return learner_state.get(user, course).completed_module_ids


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


def required_modules(modules, completed_at=None) -> list[ModulePage]:
    """The modules that count towards this learner's completion.

    Content may change after enrollment. A learner who already completed the course keeps
    their completion (and certificate): a module first published after they completed is
    open to them but not required. For everyone still in progress every live module counts.
    """
    if completed_at is None:
        return list(modules)
    return [
        m
        for m in modules
        if m.first_published_at is None or m.first_published_at <= completed_at
    ]


def required_modules_for(user, course: CoursePage) -> list[ModulePage]:
    enrolment = enrolment_for(user, course)
    return required_modules(course.modules, getattr(enrolment, "completed_at", None))


def course_progress(
    user, modules, *, done: set[int] | None = None, completed_at=None
) -> dict:
    done = completed_module_ids(user, modules) if done is None else done
    required = required_modules(modules, completed_at)
    added = [m for m in modules if m not in required]
    done_required = done & {m.pk for m in required}
    total = len(required)
    next_module = next((m for m in required if m.pk not in done), None)
    return {
        "completed_ids": done & {m.pk for m in modules},
        "completed": len(done_required),
        "total": total,
        "percent": round(100 * len(done_required) / total) if total else 0,
        "next_module": next_module,
        # Published after this learner completed: open to them, never required.
        "added_modules": added,
        "added_to_read": [m for m in added if m.pk not in done],
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
    # Before any row: the learner state may then keep what this page reads.
    version = learner_state.version_of(user) if user.is_authenticated else None
    enrolments = list(
        Enrolment.objects.with_completed_at()
        .filter(user=user)
        .select_related("course")
        .order_by("-activated_at", "-pk")
    )
    courses = [enrolment.course for enrolment in enrolments]
    # Every course's modules and the learner's progress: two queries, whatever the count.
    load_course_modules(courses)
    states = _progress_states(user, [m for c in courses for m in c.modules])
    done = {module_id for module_id, (completed, _) in states.items() if completed}
    rows = []
    for enrolment in enrolments:
        modules = enrolment.course.modules
        progress = course_progress(
            user, modules, done=done, completed_at=enrolment.completed_at
        )
        rows.append(
            {
                "enrolment": enrolment,
                "course": enrolment.course,
                "status": _progress_status(enrolment, progress),
                # For the learner state of each course, which panels rendered for this
                # row read, instead of asking again, course by course.
                "module_progress": learner_state.ProgressRead(
                    {m.pk: states[m.pk] for m in modules if m.pk in states},
                    read_under=version,
                ),
                **progress,
            }
        )
    return rows


def _progress_states(user, modules) -> dict[int, tuple]:
    if not modules:
        return {}
    rows = ModuleProgress.objects.filter(
        user=user, module__in=[m.pk for m in modules]
    ).values_list("module_id", "completed_at", "last_visited_at")
    return {module_id: (done, visited) for module_id, done, visited in rows}


def _progress_status(enrolment: Enrolment, progress: dict) -> dict:
    """What courses alone can truthfully say; an app that knows more (tests, certificates)
    answers the courses_dashboard_status hook instead."""
    if not enrolment.gives_access:
        label, tone = enrolment.get_status_display(), "neutral"
    elif progress["total"] and progress["completed"] == progress["total"]:
        label, tone = "Modules complete", "done"
    elif progress["completed"]:
        label, tone = "In progress", "todo"
    else:
        label, tone = "Not started", "todo"
    return {"label": label, "tone": tone, "detail": ""}


def course_learner_state(
    user, course: CoursePage, modules: list[ModulePage] | None = None
) -> dict:
    """What the course page needs to show this user: enrol button, progress, locks."""
    enrolment = enrolment_for(user, course)
    enrolled = bool(enrolment and enrolment.status in ACCESS_STATUSES)
    preview = can_preview(user, course)
    progress = None
    locked_ids: set[int] = set()
    if enrolled:
        done = completed_module_ids_in(user, course)
        modules = course.modules if modules is None else modules
        progress = course_progress(
            user, modules, done=done, completed_at=enrolment.completed_at
        )
        if course.modules_in_order and progress["next_module"]:
            first_open = modules.index(progress["next_module"])
            locked_ids = {
                m.pk
                for m in modules[first_open + 1 :]
                if m.pk not in progress["completed_ids"]
            }
    profile_needed = False
    if user.is_authenticated and course.awards_ce and not enrolled:
        profile = learner_state.get(user, course).profile
        profile_needed = not (profile and profile.is_complete)
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


def can_preview(user, course: CoursePage) -> bool:
    """Staff who may edit the course in Wagtail see everything, to review it."""
    if not (user.is_authenticated and user.is_staff):
        return False
    return user.is_superuser or on_page(
        course,
        ("can_edit", user.pk),
        lambda: course.permissions_for_user(user).can_edit(),
    )


def enrolment_for(user, course: CoursePage) -> Enrolment | None:
    """This user's enrolment in the course, whatever its status (the cached learner
    state)."""
    return learner_state.get(user, course).enrolment
