"""One client-address rule for every rate limit: allauth's and our own throttles.

Behind a reverse proxy every connection comes from the proxy; counting by it would put all
visitors in one bucket (and lock everyone out together)."""

import pytest
from allauth.account.adapter import get_adapter
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from courses.throttles import client_ip

PROXY = "10.0.0.1"


def request_from(remote=PROXY, **headers):
    return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)


def test_without_trusted_proxies_the_connection_address_counts(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    spoofed = request_from("198.51.100.9", **{"X-Forwarded-For": "1.2.3.4"})
    assert client_ip(spoofed) == "198.51.100.9"


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (1, "203.0.113.7", "203.0.113.7"),
        # What the client wrote itself (left) is not trusted; our proxy's entry is.
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (1, "2001:db8::1", "2001:db8::1"),
        # Fewer hops than proxies: the request skipped one; no crash, best guess.
        (3, "203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (1, "not-an-address", None),
    ],
)
def test_trusted_proxies_are_counted_from_the_right(
    settings, proxies, forwarded, expected
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    assert client_ip(request_from(**{"X-Forwarded-For": forwarded})) == expected


def test_a_header_set_by_the_proxy_wins_when_configured(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    request = request_from(
        **{"X-Real-IP": "203.0.113.50", "X-Forwarded-For": "6.6.6.6"}
    )
    assert client_ip(request) == "203.0.113.50"


def test_allauth_counts_by_the_same_rule(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = request_from(**{"X-Forwarded-For": "6.6.6.6, 203.0.113.7"})
    assert get_adapter(request).get_client_ip(request) == "203.0.113.7"


def verify(client, visitor, code="NOSUCHCODE"):
    return client.get(
        reverse("certificates:verify", args=[code]),
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=visitor,
    )


@pytest.mark.django_db
def test_behind_a_proxy_each_visitor_has_their_own_verification_budget(
    client, settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ASSESSMENTS_VERIFICATION_RATE_LIMIT = (3, 60)
    statuses = [verify(client, "203.0.113.7").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    assert verify(client, "198.51.100.20").status_code == 404
    # A client cannot buy a fresh bucket by writing its own X-Forwarded-For entry.
    assert verify(client, "1.1.1.1, 203.0.113.7").status_code == 429


@pytest.mark.django_db
def test_behind_a_proxy_a_sign_in_lock_out_is_one_visitors_only(
    client, settings, make_user
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS}
    settings.ACCOUNT_RATE_LIMITS["login_failed"] = "3/m/ip"
    user = make_user("casey", email="casey@example.com", password="right-password-1")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )

    def sign_in(visitor, password="wrong"):
        return client.post(
            reverse("account_login"),
            {"login": "casey@example.com", "password": password},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=visitor,
        )

    assert [sign_in("203.0.113.7").status_code for _ in range(3)] == [200] * 3
    locked = sign_in("203.0.113.7")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    # Someone else behind the same proxy is not locked out with them.
    response = sign_in("198.51.100.20", password="right-password-1")
    assert response.status_code == 302
    assert get_user_model().objects.get(pk=client.session["_auth_user_id"]) == user


@pytest.mark.django_db
def test_allauths_own_lock_outs_answer_429_with_the_sites_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    statuses = []
    for number in range(3):
        response = client.post(
            reverse("account_signup"),
            {
                "email": f"new{number}@example.com",
                "password1": "a-long-unusual-passphrase",
                "password2": "a-long-unusual-passphrase",
            },
        )
        statuses.append(response.status_code)
        client.logout()
    assert statuses == [302, 302, 429]
    page = response.content.decode()
    assert "Too many requests" in page and "Please wait, then try again" in page
    assert 'class="skip-link"' in page  # the site's layout, not a bare error
