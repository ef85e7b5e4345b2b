"""The shipped curriculum loads idempotently and meets the content rules."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from wagtail.models import Page

from courses.curriculum.loader import read_course_folders, validated_body
from courses.models import CoursePage, ModulePage

TEACHING_BLOCKS = {
    "rich_text",
    "callout",
    "case_vignette",
    "screening_checklist",
    "session_timeline",
    "emdr_map",
    "key_takeaways",
}
# Claims the fact sheet (section 0) lists as seed errors; none may appear as teaching.
SEED_ERRORS = [
    r"originally used as a painkiller",
    r"at least one antidepressant",
    r"operates in the GABAergic system",
]


def teaching_words(module: dict) -> int:
    words = 0

    def walk(value):
        nonlocal words
        if isinstance(value, str):
            words += len(re.sub(r"<[^>]+>", " ", value).split())
        elif isinstance(value, dict):
            for key, item in value.items():
                if key not in {"title", "category", "url", "grade"}:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for block in module["body"]:
        if block["type"] in TEACHING_BLOCKS:
            walk(block["value"])
    return words


COURSES = read_course_folders()
MODULES = [module for _, modules in COURSES for module in modules]


@pytest.mark.django_db
def test_load_curriculum_twice_gives_the_same_pages():
    call_command("load_curriculum")
    first = Page.objects.count()
    revisions = {p.pk: p.latest_revision_id for p in Page.objects.all()}
    call_command("load_curriculum")
    assert Page.objects.count() == first
    assert {p.pk: p.latest_revision_id for p in Page.objects.all()} == revisions

    foundations = CoursePage.objects.get(slug="foundations-of-kap")
    shipped = next(c for c, _ in COURSES if c["slug"] == "foundations-of-kap")
    assert foundations.price == 349
    assert foundations.ce_hours == Decimal(str(shipped["ce_hours"]))
    assert foundations.modules_in_order
    slugs = [m.slug for m in ModulePage.objects.child_of(foundations).order_by("path")]
    # The tree follows the module files' order (01-..., 02-..., ...).
    assert slugs == [
        m["slug"] for c, ms in COURSES if c["slug"] == "foundations-of-kap" for m in ms
    ]
    orientation = CoursePage.objects.get(slug="kap-and-infusion-clinics-orientation")
    assert orientation.is_free
    assert 1 <= ModulePage.objects.child_of(orientation).count() <= 2


def test_both_courses_ship():
    titles = {course["title"] for course, _ in COURSES}
    assert titles == {
        "Foundations of Ketamine-Assisted Psychotherapy",
        "KAP and infusion clinics: an orientation",
    }


@pytest.mark.parametrize("module", MODULES, ids=[m["slug"] for m in MODULES])
def test_module_has_at_least_900_words_of_teaching(module):
    assert teaching_words(module) >= 900


@pytest.mark.parametrize("module", MODULES, ids=[m["slug"] for m in MODULES])
def test_module_fits_the_blocks(module):
    validated_body(module)  # raises ValidationError on bad data


@pytest.mark.parametrize("module", MODULES, ids=[m["slug"] for m in MODULES])
def test_every_teaching_block_is_referenced_before_the_next_heading(module):
    body = module["body"]
    for index, block in enumerate(body):
        if block["type"] in TEACHING_BLOCKS - {"key_takeaways"}:
            rest = body[index + 1 :]
            section = []
            for following in rest:
                if following["type"] == "heading":
                    break
                section.append(following["type"])
            assert "reference" in section, (
                f"{module['slug']} block {index} ({block['type']}) has no reference "
                "before the next heading"
            )
        if block["type"] == "reference":
            assert block["value"]["grade"] in {"H", "M", "L"}
            assert block["value"]["citation"].strip()


@pytest.mark.parametrize("module", MODULES, ids=[m["slug"] for m in MODULES])
def test_seed_errors_are_not_repeated(module):
    text = str(module).lower()
    for pattern in SEED_ERRORS:
        for match in re.finditer(pattern.lower(), text):
            # Quoting a seed claim to correct it is fine; it must sit beside a correction.
            window = text[max(0, match.start() - 400) : match.end() + 400]
            assert any(
                w in window for w in ("error", "incorrect", "wrong", "not ", "correct")
            ), f"{module['slug']} repeats seed claim {pattern!r}"


def test_fact_sheet_corrections_are_taught():
    text = " ".join(str(module) for module in MODULES).lower()
    assert "anesthetic" in text or "anaesthetic" in text
    assert "esketamine" in text and "rems" in text
    assert "two or more" in text
    assert "hypothes" in text
