"""The one place that answers "may this user see this module, document or image?"."""

from dataclasses import dataclass

from django.db.models import Q

from .memo import on_page
from .models import (
    ACCESS_STATUSES,
    CoursePage,
    Enrolment,
    EnrolmentStatus,
    ModulePage,
)


@dataclass(frozen=True)
class ModuleAccess:
    allowed: bool
    reason: str  # preview | enrolled | anonymous | not_enrolled | suspended | locked
    message: str = ""
    blocking_module: ModulePage | None = None


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
    if not user.is_authenticated:
        return None
    return on_page(
        course,
        ("enrolment", user.pk),
        lambda: Enrolment.objects.filter(user=user, course=course).first(),
    )


def has_course_access(
    user, course: CoursePage, *, enrolment: Enrolment | None = None
) -> bool:
    enrolment = enrolment if enrolment is not None else enrolment_for(user, course)
    return bool(enrolment and enrolment.status in ACCESS_STATUSES) or can_preview(
        user, course
    )


def first_unfinished_module_before(user, module: ModulePage, course: CoursePage):
    from .selectors import completed_module_ids_in

    # First, so the module list and this user's progress arrive in one query; the answer
    # is shared with the rest of the page's render.
    done = completed_module_ids_in(user, course)
    earlier = [m for m in course.modules if m.path < module.path]
    return next((m for m in earlier if m.pk not in done), None)


def module_access(user, module: ModulePage) -> ModuleAccess:
    course = module.course
    if not user.is_authenticated:
        return ModuleAccess(False, "anonymous", "Log in and enrol to open this module.")
    if can_preview(user, course):
        return ModuleAccess(True, "preview")
    enrolment = enrolment_for(user, course)
    if enrolment and enrolment.status == EnrolmentStatus.SUSPENDED:
        return ModuleAccess(
            False,
            "suspended",
            "Your access is paused while a payment dispute is open. Contact us if this is a mistake.",
        )
    if not (enrolment and enrolment.status in ACCESS_STATUSES):
        return ModuleAccess(
            False, "not_enrolled", "Enrol in this course to open its modules."
        )
    if course.modules_in_order:
        blocking = first_unfinished_module_before(user, module, course)
        if blocking is not None:
            return ModuleAccess(
                False,
                "locked",
                f"Modules are taken in order. Finish “{blocking.title}” first.",
                blocking,
            )
    return ModuleAccess(True, "enrolled")


def accessible_course_ids(user) -> set[int]:
    """Courses whose modules this user may see (for search and media checks)."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(CoursePage.objects.values_list("pk", flat=True))
    ids = set(
        Enrolment.objects.filter(user=user, status__in=ACCESS_STATUSES).values_list(
            "course_id", flat=True
        )
    )
    if user.is_staff:
        ids |= {c.pk for c in CoursePage.objects.all() if can_preview(user, c)}
    return ids


def gated_module_ids(user):
    """Module pages this user may not see: everything outside their accessible courses."""
    allowed_courses = CoursePage.objects.filter(pk__in=accessible_course_ids(user))
    allowed_paths = Q()
    for path in allowed_courses.values_list("path", flat=True):
        allowed_paths |= Q(path__startswith=path)
    modules = ModulePage.objects.all()
    if allowed_paths:
        modules = modules.exclude(allowed_paths)
    return modules.values_list("pk", flat=True)


def modules_referencing(obj) -> list[ModulePage]:
    """Module pages whose content uses this image or document (Wagtail's reference index)."""
    from wagtail.models import ReferenceIndex

    page_ids = (
        ReferenceIndex.get_references_to(obj)
        .filter(content_type__app_label="courses", content_type__model="modulepage")
        .values_list("object_id", flat=True)
    )
    return list(ModulePage.objects.filter(pk__in=[int(pk) for pk in page_ids]))


def may_view_media(user, obj) -> bool:
    """Media used by modules is for people who may see at least one of those modules."""
    modules = modules_referencing(obj)
    if not modules:
        return True
    allowed = accessible_course_ids(user)
    if not allowed:
        return False
    # The modules' courses by path: one query, not one get_parent() per module.
    course_paths = {module.path[: -module.steplen] for module in modules}
    return CoursePage.objects.filter(pk__in=allowed, path__in=course_paths).exists()
