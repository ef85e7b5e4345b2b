"""Wagtail's fragment cache on course, module and catalogue pages.

Public content is cached with {% wagtailpagecache %}; what differs per person never is.
These tests prove that a warm cache never lets someone without access read a gated
module, that drafts and previews never reach the public cache, and that publishing
changes what the public sees at once.
"""

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.urls import reverse
from wagtail.models import Site

from courses import services
from courses.models import Enrolment, EnrolmentStatus, ModulePage
from tests.conftest import body_with_text

pytestmark = pytest.mark.django_db

GATED = "Gated teaching text for module {}."


def module_fragment(module) -> str | None:
    """What the cache holds for this module's content, under wagtailpagecache's own key."""
    module = ModulePage.objects.get(pk=module.pk)
    site = Site.objects.get(is_default_site=True)
    key = make_template_fragment_key("module-content", [module.cache_key, site.pk])
    return cache.get(key)


def html(response) -> str:
    return response.content.decode()


def test_module_content_is_cached_for_people_with_access(
    client, enrolled_learner, course
):
    module = course.modules[0]
    client.force_login(enrolled_learner)
    assert GATED.format(1) in html(client.get(module.url))
    assert GATED.format(1) in module_fragment(module)


def test_warm_gated_module_is_never_served_to_anyone_without_access(
    client, enrolled_learner, course, make_user, complete_profile
):
    first, second = course.modules[0], course.modules[1]
    # An enrolled learner warms the cache for both modules (in order).
    client.force_login(enrolled_learner)
    assert client.get(first.url).status_code == 200
    assert client.get(second.url).status_code == 200
    assert GATED.format(1) in module_fragment(first)
    assert GATED.format(2) in module_fragment(second)
    client.logout()

    stranger = make_user("stranger")
    revoked = make_user("revoked")
    services.enrolment_grant(user=revoked, course=course, actor=None, reason="t")
    services.enrolment_revoke(
        enrolment=Enrolment.objects.get(user=revoked, course=course),
        actor=None,
        reason="Licence lapsed",
    )
    suspended = make_user("suspended")
    services.enrolment_grant(user=suspended, course=course, actor=None, reason="t")
    # As an open payment dispute leaves it (tests/courses/test_payments_stripe.py).
    Enrolment.objects.filter(user=suspended).update(status=EnrolmentStatus.SUSPENDED)
    beginner = make_user("beginner")  # enrolled, but module 2 is locked until 1 is done
    services.enrolment_grant(user=beginner, course=course, actor=None, reason="t")

    cases = [(None, first), (None, second)]
    cases += [
        (user, module)
        for user in (stranger, revoked, suspended)
        for module in (first, second)
    ]
    cases += [(beginner, second)]
    for user, module in cases:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(module.url)
        who = user.username if user else "anonymous"
        assert response.status_code == 302, (who, module.title)
        assert response["Location"] == course.url, (who, module.title)
        assert "Gated teaching text" not in html(response), who
        # Following the redirect shows the syllabus, never the cached module content.
        page = html(client.get(response["Location"]))
        assert "Gated teaching text" not in page, who
        assert "Summary of module 2." in page

    # The fragments are still warm: nothing above was refused because the cache was cold.
    assert GATED.format(2) in module_fragment(second)


def test_module_preview_of_a_draft_never_reaches_the_public_cache(
    client, enrolled_learner, trainer, course
):
    module = ModulePage.objects.get(pk=course.modules[0].pk)
    module.body = body_with_text("Draft text nobody may see yet.")
    revision = module.save_revision(user=trainer)  # a draft: not published
    preview_url = reverse(
        "wagtailadmin_pages:revisions_view", args=[module.pk, revision.pk]
    )

    # 1. Preview first, with a cold cache: the preview shows the draft...
    client.force_login(trainer)
    preview = html(client.get(preview_url))
    assert "Draft text nobody may see yet." in preview
    # ...and stores nothing under the public key.
    assert module_fragment(module) is None

    # 2. The learner sees the published text, and that is what gets cached.
    client.force_login(enrolled_learner)
    public = html(client.get(module.url))
    assert GATED.format(1) in public and "Draft text" not in public
    assert "Draft text" not in module_fragment(module)

    # 3. Preview again with a warm cache: the draft, not the cached published text.
    client.force_login(trainer)
    preview = html(client.get(preview_url))
    assert "Draft text nobody may see yet." in preview
    assert GATED.format(1) not in preview

    # 4. The public page and the cache still hold only the published text.
    client.force_login(enrolled_learner)
    public = html(client.get(module.url))
    assert GATED.format(1) in public and "Draft text" not in public
    assert "Draft text" not in module_fragment(module)

    # 5. Publishing makes the new text public at once (the page's cache key changes).
    revision.publish()
    assert "Draft text nobody may see yet." in html(client.get(module.url))


def test_course_preview_of_a_draft_never_reaches_the_public_cache(
    client, trainer, course
):
    draft = course.get_latest_revision_as_object()
    draft.summary = "Draft summary for the next edition."
    revision = draft.save_revision(user=trainer)
    preview_url = reverse(
        "wagtailadmin_pages:revisions_view", args=[course.pk, revision.pk]
    )

    client.force_login(trainer)
    assert "Draft summary" in html(client.get(preview_url))
    client.logout()
    public = html(client.get(course.url))
    assert "Summary of Foundations of KAP." in public and "Draft summary" not in public

    client.force_login(trainer)
    assert "Draft summary" in html(
        client.get(preview_url)
    )  # warm cache: still the draft
    client.logout()
    public = html(client.get(course.url))
    assert "Summary of Foundations of KAP." in public and "Draft summary" not in public


def test_anonymous_course_page_is_served_from_cache_until_published(client, course):
    assert "Summary of Foundations of KAP." in html(client.get(course.url))
    # Change the row behind Wagtail's back (no publish): the cached fragment is served.
    type(course).objects.filter(pk=course.pk).update(
        summary="Changed without publishing."
    )
    assert "Summary of Foundations of KAP." in html(client.get(course.url))

    # Publishing changes last_published_at, so the page's cache key: fresh content.
    page = type(course).objects.get(pk=course.pk)
    page.summary = "Published new summary."
    page.save_revision().publish()
    page = html(client.get(course.url))
    assert "Published new summary." in page


def test_publishing_a_module_refreshes_the_cached_syllabus(client, course):
    assert "Module 2" in html(client.get(course.url))
    module = ModulePage.objects.get(pk=course.modules[1].pk)
    module.title = "Screening, revised"
    module.save_revision().publish()
    page = html(client.get(course.url))
    assert "Screening, revised" in page

    module.unpublish()
    assert "Screening, revised" not in html(client.get(course.url))


def test_personal_parts_of_the_course_page_are_never_shared(
    client, enrolled_learner, course, make_user
):
    # The learner's view (links, progress) is rendered first...
    client.force_login(enrolled_learner)
    client.get(course.modules[0].url)
    mine = html(client.get(course.url))
    assert "Your progress" in mine and f'href="{course.modules[0].url}"' in mine
    # ...and none of it reaches an anonymous visitor or another learner.
    client.logout()
    anonymous = html(client.get(course.url))
    assert "Your progress" not in anonymous
    assert f'href="{course.modules[0].url}"' not in anonymous
    assert "Sign up to enroll" in anonymous
    client.force_login(make_user("other"))
    other = html(client.get(course.url))
    assert "Your progress" not in other and "Enroll for USD 349.00" in other


def test_catalogue_cards_follow_publishing(client, catalogue, make_course):
    make_course(title="First course", modules=1)
    assert "First course" in html(client.get(catalogue.url))
    make_course(title="Second course", modules=1)
    page = html(client.get(catalogue.url))
    assert "First course" in page and "Second course" in page
    # Filters are part of the key.
    assert "Second course" in html(client.get(catalogue.url, {"ce": "yes"}))
    assert "No courses match" in html(client.get(catalogue.url, {"ce": "no"}))


def test_navigation_catalogue_link_follows_a_moved_catalogue(
    client, enrolled_learner, catalogue
):
    client.force_login(enrolled_learner)
    dashboard = reverse("courses:dashboard")
    assert 'href="/courses/"' in html(client.get(dashboard))
    catalogue.slug = "catalogue"
    catalogue.save_revision().publish()
    assert 'href="/catalogue/"' in html(client.get(dashboard))
