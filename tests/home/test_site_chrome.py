"""The site's chrome: a favicon served locally, and sign-up and sign-in forms whose
errors sit with their own field and whose sentences stay whole."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db
SITE_CSS = Path(finders.find("css/site.css"))


def test_favicon_is_served_from_our_own_static_files(client, home_page):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.ico"
    icon = Path(finders.find("img/favicon.ico")).read_bytes()
    assert icon[:4] == b"\x00\x00\x01\x00"  # an ICO file, not a renamed PNG
    html = client.get("/").content.decode()
    assert 'rel="icon" href="/static/img/favicon.svg"' in html
    assert 'rel="icon" href="/static/img/favicon.ico"' in html


def test_the_password_error_follows_the_password_field(client):
    html = client.post(
        reverse("account_signup"),
        {"email": "a@example.com", "password1": "password", "password2": "password"},
    ).content.decode()
    error = html.index("This password is too common.")
    assert html.index('for="id_password1"') < error < html.index('for="id_password2"')
    assert html.index('id="id_email"') < html.index('for="id_password1"') < error


def test_remember_me_sits_beside_its_label(client):
    html = client.get(reverse("account_login")).content.decode()
    line = html[html.index('<div class="checkbox-line">') :]
    line = line[: line.index("</div>")]
    assert 'id="id_remember"' in line and 'for="id_remember"' in line


def test_sentences_on_account_pages_are_not_split_into_columns():
    # The rule that stacked every paragraph's parts ("Then please / sign in / .") is gone;
    # form rows stack their label and input instead.
    css = SITE_CSS.read_text()
    assert ".account-page main p" not in css
