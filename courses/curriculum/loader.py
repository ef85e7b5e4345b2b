"""Load the shipped curriculum (YAML beside this file) into Wagtail pages, idempotently.

Pages are matched by slug under their parent, so a second run updates them in place.
Block ids are derived from the module slug and position, so an unchanged file produces an
unchanged page and no new revision. Modules end up in the tree in file-name order: a module
file added between existing ones (04-... between 03-... and 06-...) is moved into place on
a database that already holds the others.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml
from django.db import transaction
from wagtail.models import Page, Site

from ..blocks import ModuleBodyBlock
from ..models import CourseIndexPage, CoursePage, ModuleKind, ModulePage

CURRICULUM_DIR = Path(__file__).resolve().parent
BLOCK_ID_NAMESPACE = uuid.UUID("5b0f8b1e-3c1d-4b7e-9c55-0c8f5d2a9e01")
CATALOGUE_SLUG = "courses"


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    moved: int = 0


def quiz_tag(module: dict) -> str:
    """The tag of the module's quiz questions: `quiz_tag`, or else the module's kind."""
    return module.get("quiz_tag") or module["kind"]


def module_quiz_tags(course_slug: str, root: Path = CURRICULUM_DIR) -> dict[str, str]:
    """{module slug: quiz tag} for a shipped course, in file-name order."""
    for course, modules in read_course_folders(root):
        if course["slug"] == course_slug:
            return {module["slug"]: quiz_tag(module) for module in modules}
    return {}


def read_course_folders(root: Path = CURRICULUM_DIR) -> list[tuple[dict, list[dict]]]:
    courses = []
    for folder in sorted(p for p in root.iterdir() if (p / "course.yaml").exists()):
        course = yaml.safe_load((folder / "course.yaml").read_text(encoding="utf-8"))
        modules = [
            yaml.safe_load(path.read_text(encoding="utf-8"))
            for path in sorted(folder.glob("[0-9]*.yaml"))
        ]
        courses.append((course, modules))
    return courses


def stream_data(owner_slug: str, items: list[dict]) -> list[dict]:
    return [
        {
            "type": item["type"],
            "value": item["value"],
            "id": str(uuid.uuid5(BLOCK_ID_NAMESPACE, f"{owner_slug}:{index}")),
        }
        for index, item in enumerate(items)
    ]


def validated_body(module: dict):
    """Raise ValidationError if the YAML does not fit the blocks, naming the module."""
    block = ModuleBodyBlock()
    value = block.to_python(stream_data(module["slug"], module.get("body", [])))
    return block.clean(value)


def objectives(owner_slug: str, items: list[str]) -> list[dict]:
    return stream_data(
        owner_slug + ":objectives",
        [{"type": "objective", "value": text} for text in items],
    )


def course_fields(course: dict) -> dict:
    return {
        "title": course["title"],
        "summary": course["summary"],
        "audience": course.get("audience", ""),
        "prerequisites": course.get("prerequisites", ""),
        "learning_objectives": objectives(
            course["slug"], course.get("learning_objectives", [])
        ),
        "faculty": stream_data(
            course["slug"] + ":faculty",
            [
                {"type": "member", "value": member}
                for member in course.get("faculty", [])
            ],
        ),
        "price": Decimal(str(course.get("price", "0"))),
        "currency": course.get("currency", "USD"),
        "ce_hours": Decimal(str(course.get("ce_hours", "0"))),
        "credit_type": course.get("credit_type", "") or "",
        "accreditation_statement": course.get("accreditation_statement", "") or "",
        "ce_approved": bool(course.get("ce_approved", False)),
        "delivery_format": course.get("delivery_format", "home_study"),
        "modules_in_order": bool(course.get("modules_in_order", True)),
    }


def module_fields(module: dict) -> dict:
    if module["kind"] not in ModuleKind.values:
        raise ValueError(
            f"Module {module['slug']}: kind {module['kind']!r} is not one of "
            f"{', '.join(ModuleKind.values)}. Use 'other' with a quiz_tag for a new topic."
        )
    return {
        "title": module["title"],
        "kind": module["kind"],
        "summary": module.get("summary", ""),
        "estimated_minutes": int(module.get("estimated_minutes", 30)),
        "learning_objectives": objectives(
            module["slug"], module.get("learning_objectives", [])
        ),
        "body": validated_body(module),
    }


def without_list_item_ids(data):
    """ListBlock items get fresh random ids on every save; they carry no content."""
    if isinstance(data, list):
        return [without_list_item_ids(item) for item in data]
    if isinstance(data, dict):
        if data.get("type") == "item" and "id" in data:
            return without_list_item_ids({"type": "item", "value": data["value"]})
        return {key: without_list_item_ids(value) for key, value in data.items()}
    return data


def comparable(page: Page, field: str):
    value = getattr(page, field)
    if hasattr(value, "get_prep_value"):  # StreamValue
        return without_list_item_ids(value.get_prep_value())
    return value


def upsert_child(
    parent: Page, model, slug: str, fields: dict, report: LoadReport
) -> Page:
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, **fields)
        parent.add_child(instance=page)
        page.save_revision().publish()
        report.created += 1
        return page
    before = {name: comparable(page, name) for name in fields}
    for name, value in fields.items():
        setattr(page, name, value)
    after = {name: comparable(page, name) for name in fields}
    if before == after and page.live and not page.has_unpublished_changes:
        report.unchanged += 1
        return page
    page.save_revision().publish()
    report.updated += 1
    return page


def catalogue_parent() -> Page:
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        raise RuntimeError(
            "No default Wagtail site: create one before loading the curriculum."
        )
    return site.root_page.specific


@transaction.atomic
def load_curriculum(root: Path = CURRICULUM_DIR) -> LoadReport:
    report = LoadReport()
    catalogue = upsert_child(
        catalogue_parent(),
        CourseIndexPage,
        CATALOGUE_SLUG,
        {
            "title": "Courses",
            "intro": "<p>Evidence-graded courses for clinicians who work in, or are "
            "preparing for, ketamine-assisted psychotherapy. Every clinical claim carries "
            "its source and an evidence grade.</p>",
        },
        report,
    )
    for course, modules in read_course_folders(root):
        course_page = upsert_child(
            catalogue, CoursePage, course["slug"], course_fields(course), report
        )
        for module in modules:
            upsert_child(
                course_page, ModulePage, module["slug"], module_fields(module), report
            )
        report.moved += order_children(course_page, [m["slug"] for m in modules])
    return report


def order_children(parent: Page, slugs: list[str]) -> int:
    """Move the children with these slugs into this order; return how many moved.

    Children not in `slugs` (added by trainers) keep their places around them."""
    moved = 0
    for index, slug in enumerate(slugs):
        current = [
            child_slug
            for child_slug in parent.get_children()
            .order_by("path")
            .values_list("slug", flat=True)
            if child_slug in slugs
        ]
        if current[index] == slug:
            continue
        page = parent.get_children().get(slug=slug)
        page.move(parent.get_children().get(slug=current[index]), pos="left")
        moved += 1
    return moved
