"""Steps a person takes, written against what they see: labels, roles and visible text."""

import re

from playwright.sync_api import expect

from assessments.models import Attempt, AttemptStatus


def open_attempt(user) -> Attempt:
    return Attempt.objects.filter(user=user, status=AttemptStatus.IN_PROGRESS).latest(
        "pk"
    )


def answer_questions(
    page, attempt: Attempt, *, correctly: bool, keyboard: bool = False
) -> None:
    """Fill the attempt page. The test reads the key from the database, never the page."""
    total = len(attempt.snapshot["questions"])
    for number, question in enumerate(attempt.snapshot["questions"], start=1):
        group = page.get_by_role("group", name=f"Question {number} of {total}")
        options = question["options"]
        if question["type"] == "ordering":
            order = (
                question["correct_order"]
                if correctly
                else list(reversed(question["correct_order"]))
            )
            for position, option_id in enumerate(order, start=1):
                text = next(o["text"] for o in options if o["id"] == option_id)
                group.get_by_label(text, exact=True).select_option(str(position))
            continue
        wanted = [o for o in options if o["is_correct"] == correctly]
        if question["type"] != "multiple":
            wanted = wanted[:1]
        for option in wanted:
            box = group.get_by_label(option["text"], exact=True)
            if keyboard:
                box.focus()
                page.keyboard.press("Space")
            else:
                box.check()


def submit_answers(page) -> None:
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text(re.compile(r"Score: \d+%"))).to_be_visible()


def take_quiz(page, user, *, correctly: bool) -> None:
    """From a quiz page: start (or retry), answer and submit."""
    page.get_by_role("button", name=re.compile(r"^(Start|Resume|Try again)")).click()
    answer_questions(page, open_attempt(user), correctly=correctly)
    submit_answers(page)
