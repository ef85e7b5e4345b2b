"""The trainer's admin: course outline, quiz building from the module editor, pickers
with counts, question usage and statistics, and the admin home panel."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import selectors, services
from assessments.models import Question, Quiz
from courses import services as course_services
from courses.models import ModulePage
from tests.assessments.conftest import wrong_answers

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_explorer_lists_modules_in_syllabus_order(client, trainer, course):
    # Editing the first module last would put it on top of a "last edited" listing.
    first = course.modules[0]
    first.title = "Module 1 (edited)"
    first.save_revision().publish()
    client.force_login(trainer)
    html = text(client.get(reverse("wagtailadmin_explore", args=[course.pk])))
    positions = [
        html.index(title) for title in ("Module 1 (edited)", "Module 2", "Module 3")
    ]
    assert positions == sorted(positions)


def test_the_course_outline_shows_every_step_with_its_status(
    client, trainer, course, module_quiz, post_test
):
    draft = ModulePage(title="Module 4 draft", slug="m4", kind="ethics")
    course.add_child(instance=draft)
    draft.save_revision()
    draft.unpublish()
    pending = course.modules[1]
    pending.title = "Module 2 (new wording)"
    pending.save_revision()  # saved, not published

    client.force_login(trainer)
    outline_url = reverse("course_outline", args=[course.pk])
    html = text(client.get(outline_url))
    order = [
        html.index(t)
        for t in (
            "Module 1",
            "Module 2",
            "Module 3",
            "Module 4 draft",
            "Final post-test",
            "Course evaluation",
        )
    ]
    assert order == sorted(order)

    def status_of(title):
        after = html[html.index(f">{title}</a>") :]
        return re.search(r'class="w-status[^"]*">([^<]+)<', after).group(1)

    assert status_of("Module 1") == "Live"  # a module's own status, not its quiz's
    assert status_of("Module 2") == "Live, changes pending"
    assert status_of("Module 4 draft") == "Draft"
    assert "Mechanism quiz" in html and "Draws 4 questions from 6 that match" in html
    assert "Post-test" in html
    add_quiz = reverse("assessment_quizzes:add") + f"?module={course.modules[1].pk}"
    assert add_quiz.replace("?", "?") in html.replace("&amp;", "&")
    assert "next=%2Fadmin%2Fcourse-outlines%2F" in html
    assert "Write it now" in html  # no evaluation form yet


def test_learners_cannot_open_the_outline(client, learner, course):
    client.force_login(learner)
    response = client.get(reverse("course_outline", args=[course.pk]))
    assert response.status_code in (302, 403)


def test_the_module_editor_links_to_its_quiz_and_creates_one(
    client, trainer, course, module_quiz, make_question
):
    client.force_login(trainer)
    with_quiz = text(
        client.get(reverse("wagtailadmin_pages:edit", args=[course.modules[0].pk]))
    )
    edit_quiz = reverse("assessment_quizzes:edit", args=[module_quiz.pk])
    assert f"{edit_quiz}?next=%2Fadmin%2Fpages%2F{course.modules[0].pk}%2Fedit%2F" in (
        with_quiz
    )

    module = course.modules[1]  # kind "screening"
    for _ in range(3):
        make_question(tags=("screening",))
    editor = reverse("wagtailadmin_pages:edit", args=[module.pk])
    html = text(client.get(editor))
    assert "Create this module's quiz" in html
    add_url = f"{reverse('assessment_quizzes:add')}?module={module.pk}&next={editor}"
    form = text(client.get(add_url))
    assert 'value="Module 2: module quiz"' in form
    screening = re.search(
        r'<input type="checkbox" name="draw_tags" value="(\d+)"[^>]*checked', form
    )
    assert screening, "the module's kind is picked as a draw tag"
    assert "3 active questions match; this quiz draws 8." in form
    assert "learners will get only 3" in form

    response = client.post(
        add_url,
        {
            "title": "Module 2: module quiz",
            "kind": "module",
            "module": module.pk,
            "question_count": "8",
            "draw_tags": [screening.group(1)],
            "pass_mark": "75",
            "cooldown_minutes": "0",
            "feedback_mode": "after_each",
            "shuffle_questions": "on",
            "shuffle_options": "on",
            "is_graded": "on",
            "is_active": "on",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == editor
    quiz = Quiz.objects.get(module=module)
    assert selectors.quiz_pool_size(quiz) == 3
    assert "draws 8 questions but only 3 active questions match" in text(response)


def test_pickers_hide_internal_tags_and_retired_questions(
    client, trainer, module_quiz, make_question
):
    make_question(tags=("seed-correction",))
    retired = make_question(tags=("mechanism",))
    retired.is_active = False
    retired.save()
    client.force_login(trainer)
    html = text(client.get(reverse("assessment_quizzes:edit", args=[module_quiz.pk])))
    assert "mechanism (6 active questions)" in html
    assert "seed-correction" not in html
    assert retired.key not in html
    assert 'placeholder="Search questions"' in html

    # An internal tag a quiz already draws from stays visible, so saving keeps it.
    from taggit.models import Tag

    module_quiz.draw_tags.add(Tag.objects.get(name="seed-correction"))
    module_quiz.save()
    html = text(client.get(reverse("assessment_quizzes:edit", args=[module_quiz.pk])))
    assert "seed-correction (1 active question)" in html


def sit(user, quiz, *, correctly, when=None):
    attempt = services.attempt_start(user=user, quiz=quiz, now=when)
    answers = wrong_answers(attempt)
    if correctly:
        from tests.assessments.conftest import correct_answers

        answers = correct_answers(attempt)
    return services.attempt_submit(attempt=attempt, answers=answers, now=when)


@pytest.fixture
def busy_post_test(post_test, course, make_user, complete_profile):
    """Six learners fail the post-test once (all wrong), so every item is under 30 %."""
    learners = []
    for number in range(6):
        user = make_user(f"l{number}")
        complete_profile(user)
        course_services.enrolment_grant(
            user=user, course=course, actor=None, reason="t"
        )
        sit(user, post_test, correctly=False)
        learners.append(user)
    return post_test


def test_the_question_bank_shows_usage_and_item_statistics(
    client, trainer, module_quiz, busy_post_test
):
    client.force_login(trainer)
    html = text(client.get(reverse("assessment_questions:index")))
    assert "Used in" in html and "How learners did" in html
    assert "1 quiz" in html  # each question is in one quiz here
    assert "0.0% correct of 6" in html and "Check: under 30% correct" in html

    picked = Question.objects.filter(tagged_items__tag__name="screening").first()
    usage = selectors.with_quiz_usage(Question.objects.filter(pk=picked.pk)).get()
    assert usage.used_in == 1
    module_quiz.questions.add(picked)
    module_quiz.save()
    usage = selectors.with_quiz_usage(Question.objects.filter(pk=picked.pk)).get()
    assert usage.used_in == 2


def test_the_admin_home_shows_the_trainers_courses_and_items_to_review(
    client, trainer, course, busy_post_test, enrolled_learner
):
    old = timezone.now() - timedelta(days=10)
    client.force_login(trainer)
    html = text(client.get(reverse("wagtailadmin_home")))
    assert "Your courses" in html and course.title in html
    assert "7 in progress, 0 completed" in html
    row = html[html.index(course.title) :]
    assert re.search(r"7 in progress, 0 completed</td> <td>6</td>", row)
    assert "Items to review" in html and "under 30% correct" in html
    # Attempts older than a week do not count as this week's.
    from assessments.models import Attempt

    Attempt.objects.update(submitted_at=old, started_at=old)
    html = text(client.get(reverse("wagtailadmin_home")))
    assert re.search(r"7 in progress, 0 completed</td> <td>0</td>", html)


def test_learner_counts_split_the_homes_panel_by_completion(course, enrolled_learner):
    assert course.enrolments.learner_counts() == {"in_progress": 1, "completed": 0}
