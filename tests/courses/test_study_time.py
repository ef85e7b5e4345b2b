"""Study time computed from content: the figure, the editor warning, the system check,
the course page line and the management command."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from assessments.models import EvaluationForm, EvaluationItem, Quiz, QuizKind
from courses import study_time
from courses.checks import check_claimed_hours
from courses.models import CoursePage, ModulePage
from tests.conftest import publish_child
from tests.embed_finder import TEST_VIDEO_URL

pytestmark = pytest.mark.django_db


def words(n: int, word: str = "ketamine") -> str:
    return " ".join([word] * n)


def measured_body() -> list[dict]:
    return [
        {"type": "heading", "value": {"text": words(2), "level": "h2"}},
        {
            "type": "rich_text",
            "value": f"<p>{words(300)}</p><ul><li>{words(8)}</li></ul>",
        },
        {
            "type": "reference",
            "value": {
                "citation": words(50),
                "url": "",
                "grade": "H",
                "note": words(20),
            },
        },
        {
            "type": "case_vignette",
            "value": {
                "title": words(3),
                "scenario": f"<p>{words(40)}</p>",
                "reflection_questions": [words(10), words(10)],
                "discussion": f"<p>{words(27)}</p>",
            },
        },
        {
            "type": "screening_checklist",
            "value": {
                "title": words(2),
                "intro": words(5),
                "criteria": [
                    {"criterion": words(3), "category": "exclusion", "note": words(7)}
                ],
            },
        },
        {
            "type": "video",
            "value": {
                "video": TEST_VIDEO_URL,
                "caption": words(4),
                "transcript": words(500),  # counted by duration, not read twice
                "duration_minutes": "7.5",
            },
        },
    ]


# heading 2 + rich text 308 + vignette 3+40+20+27 + checklist 2+5+3+7; the reference and
# the video (caption, transcript) are not reading
BODY_WORDS = 2 + 308 + 90 + 17
SUMMARY_WORDS = 10
OBJECTIVE_WORDS = 6


@pytest.fixture
def measured_course(catalogue, settings):
    settings.COURSES_READING_WORDS_PER_MINUTE = 100
    course = publish_child(
        catalogue,
        CoursePage(
            title="Measured course",
            slug="measured",
            summary="Measured.",
            ce_hours=Decimal("1"),
        ),
    )
    module = publish_child(
        course,
        ModulePage(
            title="Measured module",
            slug="measured-module",
            kind="mechanism",
            estimated_minutes=60,
            summary=words(SUMMARY_WORDS),
            learning_objectives=[
                {"type": "objective", "value": words(3)},
                {"type": "objective", "value": words(3)},
            ],
            body=measured_body(),
        ),
    )
    Quiz.objects.create(
        title="Module quiz", kind=QuizKind.MODULE, module=module, question_count=8
    )
    Quiz.objects.create(
        title="Post-test", kind=QuizKind.POST_TEST, course=course, question_count=10
    )
    form = EvaluationForm.objects.create(course=course)
    for index in range(6):
        EvaluationItem.objects.create(
            form=form, sort_order=index, kind="likert", text=f"Item {index}"
        )
    return course


def test_a_module_time_is_reading_media_activities_and_its_quiz(measured_course):
    module = ModulePage.objects.get(slug="measured-module")
    time = study_time.module_study_time(module)
    expected_words = BODY_WORDS + SUMMARY_WORDS + OBJECTIVE_WORDS
    assert time.words == expected_words
    assert time.reading == Decimal(expected_words) / 100
    assert time.media == Decimal("7.5")
    assert time.activities == Decimal("15")  # vignette 10 + checklist 5
    assert time.assessment == Decimal("12")  # 8 questions x 1.5 min


def test_the_course_total_adds_the_post_test_and_the_evaluation(measured_course):
    result = study_time.course_study_time(measured_course)
    module_time = result.modules[0][1]
    assert result.post_test.assessment == Decimal("15")  # 10 x 1.5
    assert result.evaluation.assessment == Decimal("6")  # 6 items x 1
    assert result.total.total == module_time.total + 15 + 6
    assert measured_course.study_time.total == result.total.total


def test_a_stratified_post_test_counts_what_it_will_show(measured_course):
    from taggit.models import Tag

    post_test = Quiz.objects.get(kind=QuizKind.POST_TEST)
    post_test.question_count = 1
    post_test.draw_per_tag = 3
    post_test.save()
    post_test.draw_tags.set([Tag.objects.create(name=f"post_test_{n}") for n in "ab"])
    post_test.save()
    assert study_time.course_study_time(measured_course).post_test.assessment == 9


def test_basis_line_names_each_kind_of_work_in_hours():
    time = study_time.StudyTime(
        reading=Decimal(360), media=Decimal(0), activities=Decimal(120), assessment=90
    )
    assert time.basis() == "9.5 h: reading 6 h, activities 2 h, assessment 1.5 h"


def test_the_course_page_prints_the_basis(client, measured_course):
    html = client.get(measured_course.url).content.decode()
    expected = study_time.course_study_time(measured_course).total.basis()
    assert f"Study time: {expected}." in html
    assert "reading at 100 words per minute" in html


@pytest.mark.parametrize(
    "claimed,computed,exceeds",
    [("110", "100", False), ("110.5", "100", True), ("90", "100", False)],
)
def test_a_claim_is_flagged_only_above_ten_percent(claimed, computed, exceeds):
    assert study_time.claim_exceeds(Decimal(claimed), Decimal(computed)) is exceeds


def computed_minutes(course) -> Decimal:
    return study_time.course_study_time(course).total.total


def set_claim(course, minutes: Decimal) -> None:
    course.ce_hours = (minutes / 60).quantize(Decimal("0.01"))
    course.save_revision().publish()


def test_the_course_editor_shows_the_computed_time_and_warns(
    client, admin_user, measured_course
):
    client.force_login(admin_user)
    edit = reverse("wagtailadmin_pages:edit", args=[measured_course.pk])
    computed = computed_minutes(measured_course)

    set_claim(measured_course, computed)
    html = client.get(edit).content.decode()
    assert f"Computed study time: {round(computed)} min" in html
    assert "Measured module:" in html and "Post-test:" in html
    assert "Warning: the claim is more than 10% above" not in html

    set_claim(measured_course, computed * Decimal("1.2"))
    html = client.get(edit).content.decode()
    assert "Warning: the claim is more than 10% above" in html


def test_the_module_editor_shows_the_computed_time_beside_the_estimate(
    client, admin_user, measured_course
):
    client.force_login(admin_user)
    module = ModulePage.objects.get(slug="measured-module")
    computed = study_time.module_study_time(module).total_minutes
    html = client.get(
        reverse("wagtailadmin_pages:edit", args=[module.pk])
    ).content.decode()
    assert f"Computed study time: {computed} min" in html
    assert "60 min estimated" in html
    exceeds = Decimal(60) > Decimal(computed) * Decimal("1.1")
    assert ("Warning: the claim is more than 10% above" in html) is exceeds


def test_the_system_check_flags_a_live_course_claiming_too_much(measured_course):
    computed = computed_minutes(measured_course)
    set_claim(measured_course, computed)
    assert check_claimed_hours(None, databases=["default"]) == []

    set_claim(measured_course, computed * Decimal("1.5"))
    warnings = check_claimed_hours(None, databases=["default"])
    assert [w.id for w in warnings] == ["courses.W001"]
    assert "Measured course" in warnings[0].msg
    assert "course_study_time measured" in warnings[0].hint
    # Without a database to read (a plain `check`), it stays quiet.
    assert check_claimed_hours(None, databases=None) == []

    measured_course.unpublish()
    assert check_claimed_hours(None, databases=["default"]) == []


def test_the_command_prints_each_module_and_the_total(measured_course):
    set_claim(measured_course, computed_minutes(measured_course) * 2)
    out = io.StringIO()
    call_command("course_study_time", "measured", stdout=out)
    text = out.getvalue()
    assert "Measured module" in text and "Post-test" in text
    assert "Course evaluation" in text and "reading at 100 words per minute" in text
    total = study_time.course_study_time(measured_course).total
    assert f"Study time: {total.basis()}" in text
    assert "More than 10% above" in text


def test_the_command_refuses_an_unknown_course(measured_course):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No course"):
        call_command("course_study_time", "nope", stdout=io.StringIO())
