"""The plugin's groups and what they may do in the Wagtail admin."""

from django.contrib.auth.models import Group, Permission
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

from .hooks import role_permissions
from .models import CourseIndexPage

TRAINERS = "Trainers"
CERTIFICATE_ADMINISTRATORS = "Certificate administrators"
# Consultants approve learners' consultation hours on the site; they need no admin access.
CONSULTANTS = "Consultants"

TRAINER_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page"]
TRAINER_COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
]


ADMINISTRATOR_MODEL_PERMISSIONS = [
    ("courses", "add_enrolment"),
    ("courses", "view_enrolment"),
    ("courses", "view_order"),
    ("courses", "view_learnerprofile"),
]
TRAINER_MODEL_PERMISSIONS = [("courses", "view_enrolment")]


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def ensure_roles() -> dict[str, Group]:
    """Create the groups and grant their base permissions; safe to call repeatedly.

    Apps add their own model permissions to these groups (assessments adds the question
    bank and certificates), so this only grants what the page tree and media need.
    """
    admin_access = _permission("wagtailadmin", "access_admin")
    trainers, _ = Group.objects.get_or_create(name=TRAINERS)
    administrators, _ = Group.objects.get_or_create(name=CERTIFICATE_ADMINISTRATORS)
    for group in (trainers, administrators):
        group.permissions.add(admin_access)
    administrator_permissions = set(ADMINISTRATOR_MODEL_PERMISSIONS)
    administrator_permissions |= role_permissions(CERTIFICATE_ADMINISTRATORS)
    administrators.permissions.add(
        *(_permission(*p) for p in administrator_permissions)
    )
    trainer_permissions = set(TRAINER_MODEL_PERMISSIONS) | role_permissions(TRAINERS)
    trainers.permissions.add(*(_permission(*p) for p in trainer_permissions))

    for catalogue in CourseIndexPage.objects.all():
        for codename in TRAINER_PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=trainers,
                page=catalogue,
                permission=_permission("wagtailcore", codename),
            )
    root_collection = Collection.get_first_root_node()
    for app_label, codename in TRAINER_COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=trainers,
            collection=root_collection,
            permission=_permission(app_label, codename),
        )
    consultants, _ = Group.objects.get_or_create(name=CONSULTANTS)
    return {
        TRAINERS: trainers,
        CERTIFICATE_ADMINISTRATORS: administrators,
        CONSULTANTS: consultants,
    }
