"""The credential status endpoint answers whether a code exists, so it is throttled like
the verification page, from the same budget."""

import pytest
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_budget(settings):
    settings.ASSESSMENTS_VERIFICATION_RATE_LIMIT = (3, 60)
    cache.clear()
    yield
    cache.clear()


def status(client, code):
    return client.get(reverse("certificates:status", args=[code]))


def test_status_lookups_are_throttled(client):
    responses = [status(client, f"CODE{i}") for i in range(5)]
    assert [r.status_code for r in responses] == [404, 404, 404, 429, 429]
    refused = responses[-1]
    assert refused.json()["error"] == "rate_limited"
    assert refused["Retry-After"] == "60"
    assert refused["Access-Control-Allow-Origin"] == "*"


def test_status_and_verification_share_one_budget(client):
    assert status(client, "CODE1").status_code == 404
    verify = reverse("certificates:verify", args=["CODE2"])
    assert client.get(verify).status_code == 404
    assert status(client, "CODE3").status_code == 404
    assert client.get(verify).status_code == 429
    assert status(client, "CODE4").status_code == 429
