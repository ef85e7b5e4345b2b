"""Journey 2: a trainer writes a module in the Wagtail admin, adds a question and a quiz,
previews and publishes; an enrolled learner then sees the module and takes the quiz."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from assessments.models import Question, Quiz
from courses import services as course_services
from courses.models import CoursePage, ModulePage
from tests.e2e.conftest import log_in, screenshot
from tests.e2e.helpers import take_quiz

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]


def insert_block(page, name: str) -> None:
    # The stream's own "Insert a block" buttons carry a title; Draftail's inner ones do not.
    page.get_by_title("Insert a block").last.click()
    page.get_by_role("option", name=name).click()


def rich_text(page, field_id: str, text: str) -> None:
    editor = (
        page.locator(f"#{field_id}")
        .locator("xpath=..")
        .locator("[contenteditable='true']")
    )
    editor.scroll_into_view_if_needed()
    editor.focus()
    page.keyboard.type(text)


def admin_rich_text(page, field_label: str, text: str) -> None:
    region = page.get_by_role("region", name=re.compile(f"^{field_label}"))
    editor = region.locator("[contenteditable='true']")
    editor.scroll_into_view_if_needed()
    editor.click()
    editor.press_sequentially(text)


def test_trainer_builds_and_publishes_a_module_with_a_quiz(page, new_page, site):
    # The orientation course takes modules in any order, so a new module is open at once.
    course = CoursePage.objects.get(slug="kap-and-infusion-clinics-orientation")
    log_in(page, "trainer@example.com", "demo-trainer")

    # A new module under the course
    page.goto(f"/admin/pages/{course.pk}/add_subpage/")
    expect(page).to_have_url(re.compile(r"/admin/pages/add/courses/modulepage/"))
    page.locator("#id_title").fill("Pairing in practice: a worked case")
    page.get_by_label("Kind").select_option(label="Integration")
    page.get_by_label("Estimated minutes").fill("40")

    insert_block(page, "Case vignette")
    page.locator("#body-0-value-title").fill("Mr. T prepares for reprocessing")
    rich_text(
        page,
        "body-0-value-scenario",
        "Mr. T, 38, has finished three preparation sessions.",
    )
    page.locator("#body-0-value-reflection_questions-0-value").fill(
        "Which EMDR phase comes next?"
    )
    rich_text(
        page, "body-0-value-discussion", "Phase 3, assessment, after the dosing day."
    )

    insert_block(page, "Screening checklist")
    page.locator("#body-1-value-title").fill("Before the first dosing session")
    page.locator("#body-1-value-criteria-0-value-criterion").fill(
        "Current manic episode"
    )
    page.locator("#body-1-value-criteria-0-value-category").select_option(
        label="Absolute exclusion"
    )

    insert_block(page, "EMDR-pairing map")
    page.locator("#body-2-value-title").fill("Phases across the course of care")
    page.locator("#body-2-value-rows-0-value-emdr_phase").fill("Phase 7: Closure")
    page.locator("#body-2-value-rows-0-value-kap_stage").fill("End of every session")
    page.locator("#body-2-value-rows-0-value-therapist_actions").fill(
        "Containment, then the prescriber's readiness-to-leave check."
    )
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/"))
    module = ModulePage.objects.get(title="Pairing in practice: a worked case")
    assert not module.live

    # Preview the draft as a learner would see it
    page.get_by_role("button", name="Toggle preview").click()
    preview = page.frame_locator("iframe[title='Preview']").last
    expect(preview.get_by_text("Mr. T prepares for reprocessing")).to_be_visible(
        timeout=30_000
    )
    screenshot(page, "admin-module-preview")

    # A question for the bank
    page.goto("/admin/assessments/questions/new/")
    admin_rich_text(
        page,
        "Stem",
        "After a dosing session, when does EMDR reprocessing usually follow?",
    )
    admin_rich_text(
        page,
        "Explanation",
        "One model schedules reprocessing 24 to 72 hours after dosing.",
    )
    page.locator("#id_options-0-text").fill("24 to 72 hours later")
    page.locator("#id_options-0-is_correct").check()
    page.locator("#id_options-1-text").fill("Six months later")
    page.get_by_role("textbox", name=re.compile("^Reference citation")).fill(
        "EMDR Center of Denver (clinic page)"
    )
    page.get_by_role("textbox", name=re.compile("^Key")).fill("int-trainer-1")
    page.get_by_role("button", name=re.compile(r"^(Save|Create)$")).click()
    expect(page).to_have_url(re.compile(r"/admin/assessments/questions/$"))
    question = Question.objects.get(key="int-trainer-1")

    # Publish the module, then build its quiz from the bank
    page.goto(f"/admin/pages/{module.pk}/edit/")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(re.compile("published", re.I)).first).to_be_visible()
    module.refresh_from_db()
    assert module.live

    page.goto("/admin/assessments/quizzes/new/")
    page.get_by_role("textbox", name=re.compile("^Title")).fill(
        "Pairing in practice: check"
    )
    page.get_by_role("button", name="Choose a page (Module)").click()
    chooser = page.get_by_role("dialog").filter(
        has=page.get_by_role("textbox", name="Search")
    )
    chooser.get_by_role("textbox", name="Search").fill("Pairing in practice")
    chooser.get_by_role(
        "link", name=re.compile("Pairing in practice: a worked case")
    ).first.click()
    expect(page.get_by_role("button", name="Choose a page (Module)")).to_be_hidden()
    page.get_by_role("spinbutton", name=re.compile("^Question count")).fill("1")
    page.get_by_role("listbox", name=re.compile("^Questions")).select_option(
        value=str(question.pk)
    )
    page.get_by_role("button", name=re.compile(r"^(Save|Create)$")).click()
    expect(page.get_by_text(re.compile("created", re.I)).first).to_be_visible()
    assert Quiz.objects.get(module=module).questions.count() == 1

    # An enrolled learner sees the module and takes the quiz
    learner = get_user_model().objects.get(email="clinician@example.com")
    course_services.enrolment_grant(
        user=learner, course=course, actor=None, reason="Demo"
    )
    learner_page = new_page()
    log_in(learner_page, "clinician@example.com", "demo-clinician")
    learner_page.goto(module.url)
    expect(
        learner_page.get_by_role("heading", name="Pairing in practice: a worked case")
    ).to_be_visible()
    expect(learner_page.get_by_text("Absolute exclusion")).to_be_visible()
    expect(
        learner_page.get_by_role("rowheader", name="Phase 7: Closure")
    ).to_be_visible()
    learner_page.get_by_text("Show discussion notes").click()
    expect(
        learner_page.get_by_text("Phase 3, assessment, after the dosing day.")
    ).to_be_visible()
    learner_page.get_by_role("link", name="Take the quiz").click()
    take_quiz(learner_page, learner, correctly=True)
    expect(learner_page.get_by_text("You passed")).to_be_visible()
