"""Query budgets for the pages learners and visitors load most.

- Anonymous course page: at most 8 queries.
- Enrolled learner's module page: at most 10 (a cached learner state and route).
- Both cost the same with 5 modules as with 50, and with 10 enrolments as with 10,000.
- Public certificate verification: at most 4 (also in tests/assessments/test_certificates.py).

Each page is fetched once first to warm per-process caches (site root paths, content
types, template fragments), as a running server would have them. Django's test settings
use a local-memory cache; with the database cache of the production settings each
fragment read is one more (cheap) query, which the benchmark's table shows.

These budgets count what rendering a page costs, so the full-response cache for anonymous
visitors is off here; its hits cost no query at all (tests/courses/
test_anonymous_page_cache.py).
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.models import PageViewRestriction

from assessments.models import Certificate, Quiz, QuizKind
from courses import services
from courses.models import Enrolment, EnrolmentSource, EnrolmentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def render_every_page(settings):
    settings.COURSES_PAGE_CACHE_ENABLED = False


ANONYMOUS_COURSE_PAGE = 8
ENROLLED_MODULE_PAGE = 10
VERIFICATION_PAGE = 4


def cost(client, url):
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(context.captured_queries), response


def with_quizzes(course):
    """A graded quiz on module 2 and a post-test, as every shipped CE course has."""
    Quiz.objects.create(
        title="Module 2 quiz",
        kind=QuizKind.MODULE,
        module=course.modules[1],
        question_count=4,
    )
    Quiz.objects.create(
        title="Post-test", kind=QuizKind.POST_TEST, course=course, question_count=10
    )
    return course


def other_enrolments(course, count: int) -> None:
    """`count` other learners enrolled in the course, inserted in bulk (fast at 10,000)."""
    User = get_user_model()
    prefix = f"c{course.pk}-"
    User.objects.bulk_create(
        User(username=f"{prefix}{i}", email=f"{prefix}{i}@example.com", password="!")
        for i in range(count)
    )
    users = User.objects.filter(username__startswith=prefix)
    now = timezone.now()
    Enrolment.objects.bulk_create(
        Enrolment(
            user=user,
            course=course,
            status=EnrolmentStatus.ACTIVE,
            source=EnrolmentSource.ADMIN,
            activated_at=now,
        )
        for user in users
    )
    assert Enrolment.objects.filter(course=course).count() >= count


def module_page_cost(client, course, learner):
    """An enrolled learner on module 2 (module 1 done, module 2's quiz not yet passed)."""
    services.enrolment_grant(user=learner, course=course, actor=None, reason="t")
    client.force_login(learner)
    first, second = course.modules[0], course.modules[1]
    assert client.get(first.url).status_code == 200  # completes module 1 (no quiz)
    count, response = cost(client, second.url)
    assert "Module 2 quiz" in response.content.decode()
    return count


def anonymous_course_cost(client, course):
    client.logout()
    count, response = cost(client, course.url)
    assert "Sign up to enroll" in response.content.decode()
    return count


# --- Budgets ---------------------------------------------------------------------------


def test_anonymous_course_page_budget(client, course):
    with_quizzes(course)
    count, _ = cost(client, course.url)
    assert count <= ANONYMOUS_COURSE_PAGE, count


def test_enrolled_module_page_budget(client, course, learner):
    with_quizzes(course)
    count = module_page_cost(client, course, learner)
    assert count <= ENROLLED_MODULE_PAGE, count


def test_verification_page_budget(client, course, learner):
    certificate = Certificate.objects.create(
        user=learner,
        course=course,
        learner_name="Learner Example",
        course_title=course.title,
        completion_date=timezone.localdate(),
        ce_hours=course.ce_hours,
        provider_name="KAP Clinician Training",
    )
    count, response = cost(
        client, reverse("certificates:verify", args=[certificate.code])
    )
    assert "Learner Example" in response.content.decode()
    assert count <= VERIFICATION_PAGE, count


def test_first_visit_of_a_module_adds_only_the_progress_write(client, course, learner):
    """Not a budget: the first visit (and one every 15 minutes) records progress."""
    with_quizzes(course)
    services.enrolment_grant(user=learner, course=course, actor=None, reason="t")
    client.force_login(learner)
    client.get(course.modules[0].url)
    with CaptureQueriesContext(connection) as first:
        client.get(course.modules[1].url)
    with CaptureQueriesContext(connection) as again:
        client.get(course.modules[1].url)
    writes = [q["sql"] for q in first.captured_queries if "moduleprogress" in q["sql"]]
    assert any(sql.startswith(("INSERT", "UPDATE")) for sql in writes)
    assert not any(
        q["sql"].startswith(("INSERT", "UPDATE")) for q in again.captured_queries
    )
    assert len(again.captured_queries) <= ENROLLED_MODULE_PAGE


# --- They do not grow with the number of modules or enrolments ----------------------------


def test_course_and_module_pages_cost_the_same_with_5_or_50_modules(
    client, make_course, make_user
):
    anonymous, module = {}, {}
    for size in (5, 50):
        course = with_quizzes(make_course(title=f"Size {size}", modules=size))
        anonymous[size] = anonymous_course_cost(client, course)
        module[size] = module_page_cost(client, course, make_user(f"size{size}"))
    assert anonymous[5] == anonymous[50], anonymous
    assert module[5] == module[50], module
    assert anonymous[50] <= ANONYMOUS_COURSE_PAGE
    assert module[50] <= ENROLLED_MODULE_PAGE


def test_course_and_module_pages_cost_the_same_with_10_or_10000_enrolments(
    client, make_course, make_user
):
    anonymous, module = {}, {}
    for enrolments in (10, 10_000):
        course = with_quizzes(make_course(title=f"Enrolments {enrolments}", modules=5))
        other_enrolments(course, enrolments)
        anonymous[enrolments] = anonymous_course_cost(client, course)
        module[enrolments] = module_page_cost(
            client, course, make_user(f"learner{enrolments}")
        )
    assert anonymous[10] == anonymous[10_000], anonymous
    assert module[10] == module[10_000], module
    assert anonymous[10_000] <= ANONYMOUS_COURSE_PAGE
    assert module[10_000] <= ENROLLED_MODULE_PAGE


def test_catalogue_costs_the_same_with_2_or_8_courses(client, catalogue, make_course):
    counts = []
    for total in (2, 8):
        while len(catalogue.get_children()) < total:
            make_course(title=f"Course {len(catalogue.get_children()) + 1}", modules=1)
        counts.append(cost(client, catalogue.url)[0])
    assert counts[0] == counts[1], counts


def test_catalogue_card_images_do_not_cost_a_query_each(
    client, catalogue, make_course, tmp_path, settings
):
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 32), "teal").save(buffer, "PNG")
    counts = []
    for total in (1, 4):
        while len(catalogue.get_children()) < total:
            course = make_course(
                title=f"Course {len(catalogue.get_children()) + 1}", modules=1
            )
            course.hero_image = Image.objects.create(
                title=course.title,
                file=ImageFile(io.BytesIO(buffer.getvalue()), name="hero.png"),
            )
            course.save_revision().publish()
        client.get(catalogue.url)  # creates the renditions
        cache.clear()  # measure rendering the cards, not the cached fragment
        with CaptureQueriesContext(connection) as context:
            html = client.get(catalogue.url).content.decode()
        assert html.count('class="card-image"') == total
        renditions = [
            q for q in context.captured_queries if "wagtailimages_rendition" in q["sql"]
        ]
        assert len(renditions) == 1  # all cards' renditions in one prefetch
        counts.append(len(context.captured_queries))
        cache.clear()
    assert counts[0] == counts[1], counts


def test_dashboard_course_side_does_not_grow_with_enrolments(
    client, make_course, learner
):
    """Modules and progress of every enrolled course come in two queries together."""
    client.force_login(learner)
    counts = []
    for index in range(1, 4):
        course = make_course(title=f"Dashboard {index}", modules=3)
        services.enrolment_grant(user=learner, course=course, actor=None, reason="t")
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("courses:dashboard")).status_code == 200
        counts.append(
            sum(
                1
                for q in context.captured_queries
                if "courses_modulepage" in q["sql"]
                or "courses_moduleprogress" in q["sql"]
            )
        )
    assert counts == [2, 2, 2], counts


# --- The one-query view-restriction check still enforces Wagtail's privacy ------------------


def test_view_restrictions_on_ancestors_still_apply(client, course, catalogue):
    module = course.modules[0]
    assert client.get(course.url).status_code == 200
    PageViewRestriction.objects.create(
        page=catalogue, restriction_type=PageViewRestriction.LOGIN
    )
    for url in (catalogue.url, course.url, module.url):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "login" in response["Location"], url


def test_password_restriction_on_a_module_still_applies(
    client, course, enrolled_learner
):
    module = course.modules[0]
    PageViewRestriction.objects.create(
        page=module, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    client.force_login(enrolled_learner)
    page = client.get(module.url).content.decode()
    assert "Gated teaching text" not in page and "password" in page.lower()


def test_an_alias_uses_its_source_restrictions(client, course, catalogue):
    alias = course.create_alias(parent=catalogue, update_slug="foundations-alias")
    assert client.get(alias.url).status_code == 200
    PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.LOGIN
    )
    response = client.get(alias.url)
    assert response.status_code == 302 and "login" in response["Location"]
