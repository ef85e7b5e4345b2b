"""Content changes after enrollment: a new required module.

Learners who already completed keep their completion and certificate; the new module is
required of everyone still in progress. The module editor warns before publishing.
"""

import pytest
from django.urls import reverse

from assessments.selectors import course_completion
from courses import access, selectors, services
from courses.models import Enrolment, ModulePage
from tests.conftest import body_with_text, publish_child
from tests.courses.test_admin_authoring import module_form

pytestmark = pytest.mark.django_db


def complete_course(user, course):
    for module in course.modules:
        services.progress_record_visit(user=user, module=module)
    enrolment = Enrolment.objects.get(user=user, course=course)
    services.enrolment_complete(enrolment=enrolment, reason="Test")


def add_module(course, title="Module 4: new", slug="module-new", *, first=False):
    module = ModulePage(
        title=title,
        slug=slug,
        kind="ethics",
        estimated_minutes=20,
        body=body_with_text("New required content."),
    )
    if first:
        course.get_first_child().add_sibling(pos="left", instance=module)
        module.save_revision().publish()
    else:
        publish_child(course, module)
    return module


def fresh(course):
    return type(course).objects.get(pk=course.pk)


@pytest.fixture
def in_progress_learner(make_user, complete_profile, course):
    user = make_user("midway")
    complete_profile(user)
    services.enrolment_grant(user=user, course=course, actor=None, reason="Test")
    for module in course.modules:
        services.progress_record_visit(user=user, module=module)
    return user


def test_completers_keep_their_completion_and_the_rest_must_take_the_new_module(
    enrolled_learner, in_progress_learner, course
):
    complete_course(enrolled_learner, course)
    added = add_module(course)
    course = fresh(course)

    done = selectors.course_learner_state(enrolled_learner, course)["progress"]
    assert (done["completed"], done["total"], done["percent"]) == (3, 3, 100)
    assert done["next_module"] is None
    assert done["added_to_read"] == [added]

    course = fresh(course)
    midway = selectors.course_learner_state(in_progress_learner, course)["progress"]
    assert (midway["completed"], midway["total"], midway["percent"]) == (3, 4, 75)
    assert midway["next_module"] == added and midway["added_modules"] == []

    rows = {
        row["enrolment"].user_id: row
        for user in (enrolled_learner, in_progress_learner)
        for row in selectors.dashboard_rows(user)
    }
    assert rows[enrolled_learner.pk]["percent"] == 100
    assert rows[in_progress_learner.pk]["percent"] == 75

    assert course_completion(enrolled_learner, fresh(course))["complete"]
    assert not course_completion(in_progress_learner, fresh(course))["complete"]


def test_the_pages_say_what_changed(client, enrolled_learner, course):
    complete_course(enrolled_learner, course)
    add_module(course, title="Telehealth update")
    client.force_login(enrolled_learner)
    course_html = client.get(course.url).content.decode()
    assert "100%" in course_html and "Telehealth update" in course_html
    assert "Added after you completed: optional" in course_html
    dashboard = client.get(reverse("courses:dashboard")).content.decode()
    assert "3 of 3 modules complete (100%)" in dashboard
    assert "was added after you completed this course" in dashboard


def test_a_module_added_early_never_locks_what_a_learner_has_done(
    enrolled_learner, in_progress_learner, course
):
    complete_course(enrolled_learner, course)
    add_module(course, title="New first module", slug="new-first", first=True)
    course = fresh(course)
    last = course.modules[-1]
    assert course.modules[0].slug == "new-first"
    # The completer opens everything, the new module included.
    for module in course.modules:
        assert access.module_access(enrolled_learner, module).allowed, module.title
    # The learner in progress keeps the modules they finished, and must do the new one
    # before anything they have not done.
    assert access.module_access(in_progress_learner, last).allowed
    state = selectors.course_learner_state(in_progress_learner, fresh(course))
    assert state["progress"]["next_module"].slug == "new-first"


# --- The editor's warning -----------------------------------------------------------------


def add_url(course):
    return reverse("wagtailadmin_pages:add", args=("courses", "modulepage", course.pk))


def test_publishing_a_new_module_asks_the_trainer_to_confirm(
    client, trainer, enrolled_learner, in_progress_learner, course
):
    complete_course(enrolled_learner, course)
    client.force_login(trainer)
    form_page = client.get(add_url(course)).content.decode()
    assert "Learners are enrolled in this course" in form_page
    assert (
        "1 learner is in progress: the module becomes required for them." in form_page
    )
    assert (
        "1 learner has completed the course and keeps their completion and certificate."
        in form_page
    )

    response = client.post(add_url(course), module_form())
    assert response.status_code == 200
    assert "tick the box, then publish again" in response.content.decode()
    assert not ModulePage.objects.filter(slug="pairing-in-practice").exists()

    response = client.post(add_url(course), module_form(confirm_enrolled_learners="on"))
    assert response.status_code == 302
    assert ModulePage.objects.get(slug="pairing-in-practice").live


def test_drafts_and_courses_without_learners_need_no_confirmation(
    client, trainer, make_course, enrolled_learner, course
):
    client.force_login(trainer)
    draft = module_form()
    draft.pop("action-publish")
    assert client.post(add_url(course), draft).status_code == 302
    module = ModulePage.objects.get(slug="pairing-in-practice")
    assert not module.live

    empty = make_course(title="Nobody enrolled", modules=1)
    page = client.get(add_url(empty)).content.decode()
    assert "Learners are enrolled in this course" not in page
    assert client.post(add_url(empty), module_form(slug="other")).status_code == 302


def test_editing_a_live_module_asks_nothing(client, trainer, enrolled_learner, course):
    client.force_login(trainer)
    module = course.modules[0]
    page = client.get(reverse("wagtailadmin_pages:edit", args=[module.pk]))
    assert "Learners are enrolled in this course" not in page.content.decode()


def test_counts_come_from_one_query(enrolled_learner, in_progress_learner, course):
    complete_course(enrolled_learner, course)
    assert course.enrolments.learner_counts() == {"in_progress": 1, "completed": 1}
