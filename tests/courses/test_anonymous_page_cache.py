"""The full-response cache for anonymous visitors (courses.page_cache).

A cached page is proved by its cost: a hit runs no SQL at all. What must never happen is
proved by content: an anonymous visitor sees every publish, unpublish, move, delete and
price change on the next request; a gated module, a preview, a draft, a page with a
message and a logged-in learner's page are never stored or served from the cache.
"""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Page, PageViewRestriction

from courses import page_cache
from courses.models import CourseIndexPage, CoursePage, ModulePage
from tests.conftest import publish_child

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def queries_for(client, url, **extra):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **extra)
    return len(context.captured_queries), response


def stored_pages() -> int:
    """How many full pages the cache holds (local memory or Redis)."""
    prefix = page_cache.PAGE_KEY.split("{")[0]
    backend = cache._cache if hasattr(cache, "_cache") else None
    if isinstance(backend, dict):  # LocMemCache
        return sum(1 for key in backend if prefix in key)
    client = cache._cache.get_client()  # RedisCache
    return len(client.keys(f"*{prefix}*"))


# --- Hits -------------------------------------------------------------------------------


def test_home_catalogue_and_course_page_are_answered_without_a_query(
    client, course, catalogue, home_page
):
    for url in (home_page.url, catalogue.url, course.url):
        first = client.get(url)
        assert first.status_code == 200
        count, again = queries_for(client, url)
        assert count == 0, url
        assert again.content == first.content
        control = again["Cache-Control"]
        assert "public" in control and "s-maxage=" in control, control
        assert "Cookie" in again["Vary"]


def test_query_strings_are_part_of_the_key(client, catalogue, make_course):
    make_course(title="CE course", ce_hours="12", modules=1)
    make_course(title="Free course", price="0", ce_hours="0", modules=1)
    with_ce = html(client.get(catalogue.url, {"ce": "yes"}))
    without_ce = html(client.get(catalogue.url, {"ce": "no"}))
    assert "CE course" in with_ce and "Free course" not in with_ce
    assert "Free course" in without_ce and "CE course" not in without_ce
    assert queries_for(client, catalogue.url, data={"ce": "yes"})[0] == 0


# --- Changes show on the next anonymous request -----------------------------------------


def test_publishing_shows_on_the_next_request(client, course, catalogue):
    client.get(course.url)
    client.get(catalogue.url)
    page = CoursePage.objects.get(pk=course.pk)
    page.summary = "A new summary, just published."
    page.save_revision().publish()
    assert "A new summary, just published." in html(client.get(course.url))
    assert "A new summary, just published." in html(client.get(catalogue.url))


def test_a_price_change_shows_on_the_next_request(client, course, catalogue):
    assert "USD 349.00" in html(client.get(course.url))
    client.get(catalogue.url)
    page = CoursePage.objects.get(pk=course.pk)
    page.price = Decimal("199.00")
    page.save_revision().publish()
    course_page = html(client.get(course.url))
    assert "USD 199.00" in course_page and "USD 349.00" not in course_page
    assert "199.00" in html(client.get(catalogue.url))


def test_unpublishing_and_deleting_show_on_the_next_request(
    client, make_course, catalogue
):
    kept = make_course(title="Kept course", modules=1)
    gone = make_course(title="Gone course", modules=1)
    assert client.get(gone.url).status_code == 200
    assert "Gone course" in html(client.get(catalogue.url))

    CoursePage.objects.get(pk=gone.pk).unpublish()
    assert client.get(gone.url).status_code == 404
    assert "Gone course" not in html(client.get(catalogue.url))

    assert client.get(kept.url).status_code == 200
    Page.objects.get(pk=kept.pk).delete()
    assert client.get(kept.url).status_code == 404
    assert "Kept course" not in html(client.get(catalogue.url))


def test_moving_a_course_shows_on_the_next_request(
    client, course, catalogue, home_page
):
    other = publish_child(home_page, CourseIndexPage(title="Archive", slug="archive"))
    old_url = course.url
    assert client.get(old_url).status_code == 200
    assert client.get(other.url).status_code == 200
    CoursePage.objects.get(pk=course.pk).move(other, pos="last-child")
    moved = CoursePage.objects.get(pk=course.pk)
    assert moved.url.startswith("/archive/")
    # Wagtail's redirects app sends the old address on; the cached page is gone.
    old = client.get(old_url)
    assert old.status_code == 301 and old["Location"] == moved.url
    assert "Foundations of KAP" in html(client.get(other.url))
    assert client.get(moved.url).status_code == 200


def test_a_new_view_restriction_applies_on_the_next_request(client, course):
    assert client.get(course.url).status_code == 200
    PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.LOGIN
    )
    response = client.get(course.url)
    assert response.status_code == 302 and "login" in response["Location"]


# --- Never cached ---------------------------------------------------------------------------


def test_a_module_is_never_stored_even_for_someone_who_may_open_it(
    client, course, enrolled_learner
):
    module = course.modules[0]
    client.force_login(enrolled_learner)
    assert "Gated teaching text for module 1." in html(client.get(module.url))
    client.logout()
    assert stored_pages() == 0
    for _ in range(2):
        response = client.get(module.url)
        assert response.status_code == 302
        assert "Gated teaching text" not in html(response)
    assert stored_pages() == 0


def test_a_page_with_a_message_is_never_stored_nor_served_from_the_cache(
    client, course
):
    # Warm the anonymous course page...
    assert "Log in and enroll" not in html(client.get(course.url))
    stored = stored_pages()
    # ...then a gated module sends the visitor back to it with a message.
    response = client.get(course.modules[0].url)
    assert response.status_code == 302
    with_message = html(client.get(response["Location"]))
    assert "Log in and enroll to open this module." in with_message
    assert stored_pages() == stored
    # The message was shown once; the shared page never carries it.
    assert "Log in and enroll" not in html(client.get(course.url))


def test_a_logged_in_learner_never_gets_the_anonymous_page(
    client, course, enrolled_learner
):
    anonymous = client.get(course.url)
    assert queries_for(client, course.url)[0] == 0  # warm
    assert "Sign up to enroll" in html(anonymous)
    client.force_login(enrolled_learner)
    count, mine = queries_for(client, course.url)
    assert count > 0
    page = html(mine)
    assert "Log out" in page and "Your progress" in page
    assert "Sign up to enroll" not in page
    assert "private" in mine["Cache-Control"]
    client.logout()
    assert html(client.get(course.url)) == html(anonymous)


def test_drafts_and_previews_are_never_served_or_stored(client, course, trainer):
    client.get(course.url)
    draft = course.get_latest_revision_as_object()
    draft.summary = "Draft summary nobody may see yet."
    revision = draft.save_revision(user=trainer)
    assert "Draft summary" not in html(client.get(course.url))

    stored = stored_pages()
    client.force_login(trainer)
    preview_url = reverse(
        "wagtailadmin_pages:revisions_view", args=[course.pk, revision.pk]
    )
    assert "Draft summary nobody may see yet." in html(client.get(preview_url))
    preview = client.get(
        reverse("wagtailadmin_pages:preview_on_edit", args=[course.pk])
    )
    assert preview.status_code in (200, 302)
    assert stored_pages() == stored
    client.logout()
    assert "Draft summary" not in html(client.get(course.url))

    revision.publish()
    assert "Draft summary nobody may see yet." in html(client.get(course.url))


def test_a_draft_page_is_never_answered_to_visitors(client, course):
    never_published = ModulePage(title="Unpublished", slug="unpublished", live=False)
    course.add_child(instance=never_published)
    unpublished_course = CoursePage(
        title="Coming soon", slug="coming-soon", summary="Later.", live=False
    )
    course.get_parent().add_child(instance=unpublished_course)
    for _ in range(2):
        assert client.get("/courses/coming-soon/").status_code == 404
        assert client.get("/courses/foundations-of-kap/unpublished/").status_code in (
            302,
            404,
        )
    assert stored_pages() == 0


def test_not_found_is_never_stored(client, catalogue):
    for _ in range(2):
        count, response = queries_for(client, catalogue.url + "no-such-course/")
        assert response.status_code == 404
        assert count > 0


def test_responses_that_set_cookies_or_forbid_sharing_are_not_storable():
    storable = page_cache.PageCacheMiddleware.storable
    assert storable(HttpResponse("ok"))
    with_cookie = HttpResponse("ok")
    with_cookie.set_cookie("csrftoken", "x")
    assert not storable(with_cookie)
    for control in ("private", "no-store", "max-age=0, no-cache"):
        response = HttpResponse("ok")
        response["Cache-Control"] = control
        assert not storable(response), control
    varies = HttpResponse("ok")
    varies["Vary"] = "Cookie, Accept-Language"
    assert not storable(varies)
    assert not storable(HttpResponse("gone", status=404))


def test_a_password_protected_page_is_never_stored(client, course):
    PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    for _ in range(2):
        page = html(client.get(course.url))
        assert "password" in page.lower() and "Summary of Foundations" not in page
    assert stored_pages() == 0


# --- Beyond pages: images, snippets, sites, and a CDN -----------------------------------------


def test_saving_an_image_or_a_site_changes_the_generation(course):
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file
    from wagtail.models import Site

    def generation():
        return cache.get(page_cache.GENERATION_KEY)

    before = generation()
    get_image_model().objects.create(title="Hero", file=get_test_image_file())
    assert generation() != before
    before = generation()
    site = Site.objects.get(is_default_site=True)
    site.site_name = "Renamed"
    site.save()
    assert generation() != before


def test_page_requests_take_the_site_from_the_cache(client, course, enrolled_learner):
    client.force_login(enrolled_learner)
    client.get(course.url)
    with CaptureQueriesContext(connection) as context:
        assert client.get(course.url).status_code == 200
    sql = " ".join(q["sql"] for q in context.captured_queries)
    assert "wagtailcore_site" not in sql


class RecordingBackend:
    """A frontend-cache backend that records what it is asked to purge."""

    purged: list[str] = []

    def __init__(self, params):
        pass

    def purge(self, url):
        self.purged.append(url)

    def purge_batch(self, urls):
        self.purged.extend(urls)

    def invalidates_hostname(self, hostname):
        return True


@pytest.fixture
def recording_cdn(settings) -> list[str]:
    """A CDN configured in front of the site; the list of URLs it was asked to purge."""
    settings.WAGTAILFRONTENDCACHE = {
        "recorder": {
            "BACKEND": "tests.courses.test_anonymous_page_cache.RecordingBackend"
        }
    }
    RecordingBackend.purged = []
    return RecordingBackend.purged


# Real commits: the purge runs after the publishing transaction commits, once.
@pytest.mark.django_db(transaction=True)
def test_a_configured_cdn_is_purged_of_every_shared_page(
    course, catalogue, home_page, recording_cdn
):
    page = CoursePage.objects.get(pk=course.pk)
    page.price = Decimal("299.00")
    page.save_revision().publish()
    paths = {url.split("localhost", 1)[-1] for url in recording_cdn}
    assert {"/", catalogue.url, course.url} <= paths
    assert not any(module.url in paths for module in course.modules)


@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_publishes_many_pages_purges_the_cdn_once(
    course, catalogue, home_page, recording_cdn
):
    with transaction.atomic():
        for module in course.modules:
            module.save_revision().publish()
        CoursePage.objects.get(pk=course.pk).save_revision().publish()
    assert len(recording_cdn) == len(set(recording_cdn)) > 0


# --- Routes, for everyone -------------------------------------------------------------------


def test_a_learner_s_page_is_routed_from_the_cache(client, course, enrolled_learner):
    module = course.modules[0]
    client.force_login(enrolled_learner)
    client.get(module.url)  # the first visit records progress
    client.get(module.url)
    with CaptureQueriesContext(connection) as context:
        assert client.get(module.url).status_code == 200
    sql = " ".join(q["sql"] for q in context.captured_queries)
    # No page row is loaded: routing, the course's module list and the ancestors come
    # from the cached route; only Wagtail's view-restriction check reads the tree.
    assert "courses_modulepage" not in sql and "courses_coursepage" not in sql


def test_an_unpublished_module_is_not_routed_from_the_cache(
    client, course, enrolled_learner
):
    module = course.modules[0]
    client.force_login(enrolled_learner)
    assert client.get(module.url).status_code == 200
    ModulePage.objects.get(pk=module.pk).unpublish()
    assert client.get(module.url).status_code == 404


def test_a_renamed_module_is_found_at_its_new_address(client, course, enrolled_learner):
    module = ModulePage.objects.get(pk=course.modules[0].pk)
    client.force_login(enrolled_learner)
    assert client.get(module.url).status_code == 200
    module.slug = "renamed"
    module.title = "Renamed module"
    module.save_revision().publish()
    assert "Renamed module" in html(client.get(course.url + "renamed/"))
    assert client.get(course.url + "module-1/").status_code != 200


def test_a_page_that_used_a_csp_nonce_is_never_stored(client, course, monkeypatch):
    from courses.models import CoursePage

    original = CoursePage.get_context

    def get_context(self, request, *args, **kwargs):
        str(request.csp_nonce)  # a template writing the nonce
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(CoursePage, "get_context", get_context)
    for _ in range(2):
        count, response = queries_for(client, course.url)
        assert response.status_code == 200 and count > 0
        assert "'nonce-" in response["Content-Security-Policy"]
    assert stored_pages() == 0
