"""The curriculum loader: file order becomes tree order, on a fresh or an existing
database, and loading again changes nothing."""

from pathlib import Path

import pytest
import yaml
from wagtail.models import Page

from courses.curriculum.loader import load_curriculum, module_quiz_tags, quiz_tag
from courses.models import CoursePage, ModulePage
from tests.conftest import publish_child

pytestmark = pytest.mark.django_db

COURSE = {
    "slug": "loader-course",
    "title": "Loader course",
    "summary": "For the loader tests.",
    "ce_hours": "1.5",
}


def module(number: int, slug: str, kind="other", tag=None) -> dict:
    data = {
        "slug": slug,
        "title": f"Module {slug}",
        "kind": kind,
        "estimated_minutes": 20,
        "summary": "A summary.",
        "body": [{"type": "rich_text", "value": f"<p>Text of {slug}.</p>"}],
    }
    if tag:
        data["quiz_tag"] = tag
    return data


def write(root: Path, files: dict[str, dict]) -> Path:
    folder = root / "loader-course"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.yaml").write_text(yaml.safe_dump(COURSE))
    for name, data in files.items():
        (folder / name).write_text(yaml.safe_dump(data))
    return root


def tree_slugs() -> list[str]:
    course = CoursePage.objects.get(slug="loader-course")
    return [m.slug for m in ModulePage.objects.child_of(course).order_by("path")]


def test_new_files_between_existing_ones_are_moved_into_file_order(tmp_path, home_page):
    root = write(
        tmp_path,
        {
            "01-mechanism.yaml": module(1, "mechanism", "mechanism"),
            "03-presence.yaml": module(3, "presence", "session_presence"),
            "06-integration.yaml": module(6, "integration", "integration"),
        },
    )
    load_curriculum(root)
    assert tree_slugs() == ["mechanism", "presence", "integration"]

    # A later release adds modules 02, 04 and 08 to an existing database.
    write(
        tmp_path,
        {
            "02-screening.yaml": module(2, "screening", "screening"),
            "04-adverse-effects.yaml": module(4, "adverse", tag="adverse_events"),
            "08-access-equity.yaml": module(8, "access", tag="access_equity"),
        },
    )
    report = load_curriculum(root)
    assert report.created == 3 and report.moved >= 2
    assert tree_slugs() == [
        "mechanism",
        "screening",
        "presence",
        "adverse",
        "integration",
        "access",
    ]
    # The site's URLs follow the moves (Wagtail keeps url_path in step).
    adverse = ModulePage.objects.get(slug="adverse")
    assert adverse.url_path.endswith("/loader-course/adverse/")

    revisions = {p.pk: p.latest_revision_id for p in Page.objects.all()}
    again = load_curriculum(root)
    assert again.moved == 0 and again.created == 0 and again.updated == 0
    assert {p.pk: p.latest_revision_id for p in Page.objects.all()} == revisions
    assert tree_slugs()[3] == "adverse"


def test_a_trainers_own_module_is_kept(tmp_path, home_page):
    root = write(
        tmp_path,
        {
            "01-a.yaml": module(1, "a"),
            "02-b.yaml": module(2, "b"),
        },
    )
    load_curriculum(root)
    course = CoursePage.objects.get(slug="loader-course")
    publish_child(course, ModulePage(title="Trainer's own", slug="own", kind="other"))
    write(tmp_path, {"00-first.yaml": module(0, "first")})
    load_curriculum(root)
    slugs = tree_slugs()
    assert [s for s in slugs if s != "own"] == ["first", "a", "b"]
    assert "own" in slugs


def test_quiz_tag_defaults_to_the_kind(tmp_path):
    assert quiz_tag({"kind": "screening"}) == "screening"
    assert quiz_tag({"kind": "other", "quiz_tag": "documentation"}) == "documentation"
    root = write(
        tmp_path,
        {
            "01-a.yaml": module(1, "a", "mechanism"),
            "07-doc.yaml": module(7, "doc", tag="documentation"),
        },
    )
    assert module_quiz_tags("loader-course", root) == {
        "a": "mechanism",
        "doc": "documentation",
    }


def test_an_unknown_kind_is_refused_with_the_module_named(tmp_path, home_page):
    root = write(tmp_path, {"01-x.yaml": module(1, "x", kind="adverse_events")})
    with pytest.raises(ValueError, match="Module x: kind 'adverse_events'"):
        load_curriculum(root)
