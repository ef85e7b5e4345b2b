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


def type_into_editor(editor, stored_value, text: str) -> None:
    # Draftail mounts after the form renders and writes its hidden input a moment after
    # each change; keystrokes sent before it is ready are dropped on a loaded machine.
    # The hidden input is what the form submits, so type until it holds the text.
    editor.scroll_into_view_if_needed()
    holds_text = re.compile(re.escape(text))
    for _ in range(3):
        editor.click()
        editor.press("ControlOrMeta+a")
        editor.press("Delete")
        editor.press_sequentially(text)
        try:
            expect(stored_value).to_have_value(holds_text, timeout=3_000)
            return
        except AssertionError:
            continue
    expect(stored_value).to_have_value(holds_text)


def rich_text(page, field_id: str, text: str) -> None:
    stored_value = page.locator(f"#{field_id}")
    editor = stored_value.locator("xpath=..").locator("[contenteditable='true']")
    type_into_editor(editor, stored_value, text)


def admin_rich_text(page, field_name: str, text: str) -> None:
    region = page.get_by_role("region", name=re.compile(f"^{field_name}"))
    type_into_editor(
        region.locator("[contenteditable='true']"),
        page.locator(f"#id_{field_name.lower()}"),
        text,
    )


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
    assert Question.objects.filter(key="int-trainer-1").exists()

    # Publish the module, then build its quiz from the bank
    page.goto(f"/admin/pages/{module.pk}/edit/")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(re.compile("published", re.I)).first).to_be_visible()
    module.refresh_from_db()
    assert module.live

    # The quiz is built from the module editor: the link prefills module, title and tag.
    page.goto(f"/admin/pages/{module.pk}/edit/")
    page.get_by_role("link", name="Create this module's quiz").click()
    expect(page.get_by_role("textbox", name=re.compile("^Title"))).to_have_value(
        "Pairing in practice: a worked case: module quiz"
    )
    page.get_by_role("spinbutton", name=re.compile("^Question count")).fill("1")
    page.get_by_placeholder("Search questions").fill("dosing session")
    expect(
        page.get_by_role("checkbox", name=re.compile(r"^int-trainer-1 · "))
    ).to_be_visible()
    expect(page.get_by_role("checkbox", name=re.compile(r"^int-01 · "))).to_be_hidden()
    page.get_by_role("checkbox", name=re.compile(r"^int-trainer-1 · ")).check()
    expect(
        page.get_by_text(re.compile(r"\d+ active questions match; this quiz draws 1\."))
    ).to_be_visible()
    page.get_by_role("spinbutton", name=re.compile("^Question count")).fill("500")
    expect(page.get_by_text(re.compile("learners will get only"))).to_be_visible()
    page.get_by_role("spinbutton", name=re.compile("^Question count")).fill("1")
    page.get_by_role("button", name=re.compile(r"^(Save|Create)$")).click()
    expect(page).to_have_url(re.compile(rf"/admin/pages/{module.pk}/edit/$"))
    expect(page.get_by_role("link", name="Edit quiz")).to_be_visible()
    screenshot(page, "admin-module-quiz-panel")
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
        learner_page.get_by_role(
            "heading", name="Pairing in practice: a worked case", level=1
        )
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
