"""The shipped curriculum, read as a learner reads it.

These run on the content in courses/curriculum and assessments/curriculum: every module
page, every question and a certificate are rendered (or read field by field) and must
carry no authoring notes and no British spellings, and no reference graded H may point
to a clinic site, blog, aggregator, press release or bare home page.
"""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse

from assessments.curriculum.loader import read_question_files
from courses.curriculum.loader import read_course_folders
from courses.models import CoursePage, ModulePage
from tests.learner_text import (
    AUTHORING_MARKERS,
    BRITISH_SPELLINGS,
    findings,
    main_content,
    non_primary_reason,
    template_text,
    visible_text,
)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [
    ROOT / "courses" / "templates",
    ROOT / "assessments" / "templates",
    ROOT / "templates",
]
COURSES = read_course_folders()
QUESTIONS = read_question_files()


# --- Rendering everything a learner reads ---------------------------------------------


def question_texts(question) -> dict[str, str]:
    """Every learner-facing field of a loaded question, by where it appears."""
    texts = {
        "stem": question.stem,
        "scenario": question.scenario,
        "explanation": question.explanation,
        "reference citation": question.reference_citation,
        "reference url": question.reference_url,
    }
    for index, option in enumerate(question.options.all(), start=1):
        texts[f"option {index}"] = option.text
        texts[f"option {index} feedback"] = option.feedback
    return texts


@pytest.fixture
def shipped_pages(client, django_user_model, settings, tmp_path):
    """{name: html} for every shipped course and module page, a full-feedback result
    page holding every active question, and a certificate with its PDF template."""
    from assessments import services
    from assessments.certificates import services as certificate_services
    from assessments.models import Attempt, FeedbackMode, Question, Quiz, QuizKind
    from courses import services as course_services
    from courses.models import LearnerProfile

    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_curriculum", stdout=open("/dev/null", "w"))
    admin = django_user_model.objects.create_superuser("editor", "e@example.com", "pw")
    learner = django_user_model.objects.create_user("reader", "r@example.com", "pw")
    LearnerProfile.objects.create(
        user=learner,
        legal_name="Riley Reader",
        profession="lcsw",
        licence_number="LCSW-1234",
        licence_jurisdiction="Oregon",
        licence_in_good_standing=True,
    )
    pages = {}
    client.force_login(admin)
    for course, modules in COURSES:
        page = CoursePage.objects.get(slug=course["slug"])
        pages[f"course {course['slug']}"] = client.get(page.url).content.decode()
        for module in modules:
            module_page = ModulePage.objects.child_of(page).get(slug=module["slug"])
            response = client.get(module_page.url)
            assert response.status_code == 200, module["slug"]
            pages[f"module {module['slug']}"] = response.content.decode()

    # Every active question on one result page, with the key and explanations shown.
    foundations = CoursePage.objects.get(slug="foundations-of-kap")
    course_services.enrolment_grant(
        user=learner, course=foundations, actor=None, reason="Test"
    )
    everything = Quiz.objects.get(course=foundations, kind=QuizKind.POST_TEST)
    active = Question.objects.filter(is_active=True)
    everything.draw_per_tag = None
    everything.question_count = active.count()
    everything.feedback_mode = FeedbackMode.AFTER_EACH
    everything.save()
    everything.questions.set(active)
    everything.save()
    attempt = services.attempt_start(user=learner, quiz=everything)
    services.attempt_submit(attempt=attempt, answers={})
    client.force_login(learner)
    pages["every question"] = client.get(
        reverse("assessments:result", args=[attempt.pk])
    ).content.decode()
    assert Attempt.objects.get(pk=attempt.pk).snapshot["questions"]

    certificate = certificate_services.certificate_issue(
        user=learner, course=foundations, actor=admin, override_reason="Test render"
    )
    pages["certificate"] = render_to_string(
        "assessments/certificates/certificate_pdf.html",
        {"certificate": certificate, "verification_url": "https://example.org/v"},
    )
    pages["my certificates"] = client.get(
        reverse("assessments:my_certificates")
    ).content.decode()
    pages["verification"] = client.get(
        reverse("certificates:verify", args=[certificate.code])
    ).content.decode()
    return pages


def loaded_questions():
    from assessments.models import Question

    return list(Question.objects.prefetch_related("options"))


# --- (a) No authoring notes ----------------------------------------------------------


@pytest.mark.django_db
def test_no_authoring_notes_reach_a_learner(shipped_pages):
    problems = []
    for name, html in shipped_pages.items():
        text, hrefs = visible_text(main_content(html))
        for found in findings(" ".join([text, *hrefs]), AUTHORING_MARKERS):
            problems.append(f"{name}: …{found}…")
    for question in loaded_questions():
        for field, value in question_texts(question).items():
            for found in findings(value or "", AUTHORING_MARKERS):
                problems.append(f"question {question.key} {field}: …{found}…")
    assert problems == [], "\n".join(problems)


# --- (b) US English ------------------------------------------------------------------


@pytest.mark.django_db
def test_learner_facing_content_is_us_english(shipped_pages):
    """Citations are left as published (a journal may be British); everything else a
    learner reads is in US English."""
    problems = []
    for name, html in shipped_pages.items():
        text, _ = visible_text(main_content(html), skip_classes={"citation"})
        for found in findings(text, BRITISH_SPELLINGS):
            problems.append(f"{name}: …{found}…")
    for question in loaded_questions():
        if not question.is_active:
            continue
        for field, value in question_texts(question).items():
            if field.startswith("reference"):
                continue
            for found in findings(value or "", BRITISH_SPELLINGS):
                problems.append(f"question {question.key} {field}: …{found}…")
    assert problems == [], "\n".join(problems)


TEMPLATES = sorted(
    path
    for folder in TEMPLATE_DIRS
    for path in folder.rglob("*")
    if path.suffix in {".html", ".txt"}
)


@pytest.mark.parametrize(
    "path", TEMPLATES, ids=[str(p.relative_to(ROOT)) for p in TEMPLATES]
)
def test_templates_are_us_english(path):
    found = findings(template_text(path), BRITISH_SPELLINGS + AUTHORING_MARKERS)
    assert found == [], found


def test_the_template_check_sees_text_and_not_code(tmp_path):
    sample = tmp_path / "sample.html"
    sample.write_text(
        '{% url "courses:enrol" page.pk %}<div class="enrol-panel" '
        'data-x="{{ enrolment.licence_number }}">{# Enrol #}'
        '<button aria-label="Enrol now">Go</button>'
        '{% include "x.html" with title="Colour of the centre" %}'
        "<p>Your licence</p></div>"
    )
    found = " ".join(findings(template_text(sample), BRITISH_SPELLINGS))
    assert "Enrol now" in found and "licence" in found and "Colour" in found
    assert "enrol-panel" not in found and "licence_number" not in found


# --- (c) Primary sources behind every H ----------------------------------------------


def graded_references():
    for _, modules in COURSES:
        for module in modules:
            for index, block in enumerate(module.get("body", [])):
                if block["type"] == "reference":
                    value = block["value"]
                    yield (
                        f"{module['slug']} block {index}",
                        value.get("grade"),
                        value.get("url") or "",
                        value.get("citation", ""),
                    )
    for question in QUESTIONS:
        reference = question["reference"]
        yield (
            f"question {question['key']}",
            reference.get("grade"),
            reference.get("url") or "",
            reference.get("citation", ""),
        )


def test_no_reference_graded_h_rests_on_a_non_primary_source():
    problems = [
        f"{where}: {reason} ({citation[:60]})"
        for where, grade, url, citation in graded_references()
        if grade == "H" and url and (reason := non_primary_reason(url))
    ]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    "url,allowed",
    [
        ("https://www.wcmedicine.com/ketamine-history", False),
        ("https://d.docksci.com/some-paper.html", False),
        ("https://clinic.impactinfusions.com/blog/ketamine", False),
        ("https://thoughts.blog/ketamine", False),
        ("https://pubmed.ncbi.nlm.nih.gov/", False),  # a home page, not the source
        ("https://www.accessdata.fda.gov", False),
        ("https://pubmed.ncbi.nlm.nih.gov/24740528/", True),
        ("https://www.accessdata.fda.gov/drugsatfda_docs/label/x.pdf", True),
        ("https://doi.org/10.1176/appi.ajp.2014.13101434", True),
        ("https://president.com/paper", True),  # not resident.com
    ],
)
def test_the_non_primary_rule(url, allowed):
    assert (non_primary_reason(url) == "") is allowed


# --- Hours the shipped content supports ----------------------------------------------


@pytest.mark.django_db
def test_shipped_courses_claim_no_more_hours_than_their_content_supports(client):
    from courses.checks import check_claimed_hours
    from courses.study_time import course_study_time

    call_command("load_curriculum", stdout=open("/dev/null", "w"))
    warnings = check_claimed_hours(None, databases=["default"])
    assert warnings == [], "\n".join(f"{w.msg} {w.hint}" for w in warnings)
    foundations = CoursePage.objects.get(slug="foundations-of-kap")
    basis = course_study_time(foundations).total.basis()
    html = client.get(foundations.url).content.decode()
    assert f"Study time: {basis}." in html
