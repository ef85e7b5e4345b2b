"""Load the shipped curriculum (YAML beside this file) into Wagtail pages, idempotently.

Pages are matched by slug under their parent, so a second run updates them in place.
Block ids are derived from the module slug and position, so an unchanged file produces an
unchanged page and no new revision.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml
from django.db import transaction
from wagtail.models import Page, Site

from ..blocks import ModuleBodyBlock
from ..models import CourseIndexPage, CoursePage, ModulePage

CURRICULUM_DIR = Path(__file__).resolve().parent
BLOCK_ID_NAMESPACE = uuid.UUID("5b0f8b1e-3c1d-4b7e-9c55-0c8f5d2a9e01")
CATALOGUE_SLUG = "courses"


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


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
        "delivery_format": course.get("delivery_format", "home_study"),
        "modules_in_order": bool(course.get("modules_in_order", True)),
    }


def module_fields(module: dict) -> dict:
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
    return report
