"""Hostile input answers 400 or a friendly page, never 500: with DEBUG on (development)
and off (production)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["production", "development"])
def site_client(request, client, settings, home_page):
    settings.DEBUG = request.param == "development"
    client.raise_request_exception = False  # a 500 must show up as a status
    cache.clear()
    yield client
    cache.clear()


@pytest.mark.parametrize(
    "query",
    ["\x00", "ketamine\x00", "\x01\x02\x1f", '"', '"unpaired quote', "\u202e\ufeff"],
)
def test_search_with_control_characters_is_never_a_500(site_client, course, query):
    response = site_client.get(reverse("search"), {"q": query, "page": query})
    if "\x00" in query:
        assert response.status_code == 400
        assert "We couldn't read that request" in response.content.decode()
    else:
        assert response.status_code == 200


def test_search_ignores_control_characters_but_finds_the_words(site_client, course):
    response = site_client.get(reverse("search"), {"q": "Found\x01ations\x7f"})
    assert response.status_code == 200
    assert response.context["query"] == "Foundations"
    assert course.title in response.content.decode()


@pytest.mark.parametrize("code", ["a/b", "../etc", "ABC?DEF", "<script>", "x" * 41])
def test_verify_form_with_a_code_that_cannot_be_one_explains_why(site_client, code):
    response = site_client.get(reverse("certificates:verify_form"), {"code": code})
    assert response.status_code == 400
    assert "only letters and digits" in response.content.decode()


def test_verify_form_with_nul_is_a_400(site_client):
    response = site_client.get(reverse("certificates:verify_form"), {"code": "AB\x00"})
    assert response.status_code == 400


@pytest.mark.parametrize("code", ["ABC.DEF", "%E2%80%AE", "é" * 3, "X" * 10_000])
def test_verify_and_status_pages_with_impossible_codes_say_not_found(site_client, code):
    page = site_client.get(f"/certificates/verify/{code}/")
    assert page.status_code == 404
    assert "We couldn't find that certificate" in page.content.decode()
    status = site_client.get(f"/certificates/status/{code}/")
    assert status.status_code == 404 and status.json()["error"] == "not_found"


@pytest.mark.parametrize(
    "url",
    [
        "/certificates/verify/%00/",
        "/certificates/status/AB%00/",
        "/learn/orders/KAP-%00/",
        "/learn/checkout/success/?session_id=cs_%00",
        "/learn/checkout/test-mode/%00/",
        "/accounts/confirm-email/%00/",
    ],
)
def test_nul_anywhere_in_the_address_is_a_400(site_client, learner, url):
    # PostgreSQL raises on a NUL in a query parameter instead of matching nothing.
    site_client.force_login(learner)
    assert site_client.get(url).status_code == 400


def test_nul_in_a_posted_form_is_a_400_and_changes_nothing(site_client, learner):
    from courses.models import LearnerProfile

    site_client.force_login(learner)
    response = site_client.post(
        reverse("courses:profile"),
        {
            "legal_name": "Nul\x00Name",
            "profession": "psychologist",
            "licence_number": "1",
            "licence_jurisdiction": "CO",
            "licence_in_good_standing": "on",
        },
    )
    assert response.status_code == 400
    assert LearnerProfile.objects.get(user=learner).legal_name == "Learner Example"
