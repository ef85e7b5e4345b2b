"""The one place that answers "may this user see this module, document or image?"."""

from dataclasses import dataclass

from django.db.models import Q

from .models import (
    ACCESS_STATUSES,
    CoursePage,
    Enrolment,
    EnrolmentStatus,
    ModulePage,
)
from .programmes.selectors import module_release_lock

# Plain reads live in selectors; they are imported here so callers that ask "may this user
# see it?" find everything in one module.
from .selectors import (  # noqa: F401
    can_preview,
    completed_module_ids_in,
    enrolment_for,
    required_modules_for,
)


@dataclass(frozen=True)
class ModuleAccess:
    allowed: bool
    reason: str  # preview | enrolled | anonymous | not_enrolled | suspended | scheduled | locked
    message: str = ""
    blocking_module: ModulePage | None = None


def has_course_access(
    user, course: CoursePage, *, enrolment: Enrolment | None = None
) -> bool:
    enrolment = enrolment if enrolment is not None else enrolment_for(user, course)
    return bool(enrolment and enrolment.status in ACCESS_STATUSES) or can_preview(
        user, course
    )


def first_unfinished_module_before(user, module: ModulePage, course: CoursePage):
    done = completed_module_ids_in(user, course)
    if module.pk in done:
        return None  # a module once completed stays open, whatever was added before it
    earlier = [m for m in required_modules_for(user, course) if m.path < module.path]
    return next((m for m in earlier if m.pk not in done), None)


def module_access(user, module: ModulePage) -> ModuleAccess:
    course = module.course
    if not user.is_authenticated:
        return ModuleAccess(
            False, "anonymous", "Log in and enroll to open this module."
        )
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
            False, "not_enrolled", "Enroll in this course to open its modules."
        )
    opens_on = module_release_lock(user, module, enrolment)
    if opens_on is not None:
        return ModuleAccess(
            False, "scheduled", f"“{module.title}” opens on {opens_on:%B %-d, %Y}."
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


def visible_pages(user):
    """Live, public pages minus the modules this user may not open: what search may list."""
    from wagtail.models import Page

    return Page.objects.live().public().exclude(id__in=list(gated_module_ids(user)))


def image_is_public(image) -> bool:
    """Shown on a page anyone may open: a live, unrestricted page that is not a module (a
    course's hero image, its catalogue card, a faculty photo). Module images are not: they
    are served only through the module image view, to people who may see the module."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page, ReferenceIndex

    page_ids = (
        ReferenceIndex.get_references_to(image)
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .values_list("object_id", flat=True)
    )
    return (
        Page.objects.live()
        .public()
        .not_type(ModulePage)
        .filter(pk__in=[int(pk) for pk in page_ids])
        .exists()
    )


def may_manage_images(user, image) -> bool:
    """People who work with this image in the Wagtail admin (its listing and choosers show
    the files themselves)."""
    from wagtail.permissions import policy_registry

    policy = policy_registry.get_by_type(type(image))
    return user.is_authenticated and policy.user_has_any_permission_for_instance(
        user, ["change", "choose", "delete"], image
    )
