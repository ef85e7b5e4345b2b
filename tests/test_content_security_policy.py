"""The Content Security Policy: strict on the site, local-only in the admin, and no
template of ours that would need it relaxed. The browser checks are in tests/e2e."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
# Templates a browser renders. PDFs (WeasyPrint) and emails never run under the policy.
TEMPLATE_DIRS = [
    ROOT / "templates",
    ROOT / "courses" / "templates",
    ROOT / "assessments" / "templates",
    ROOT / "home" / "templates",
]
NOT_FOR_BROWSERS = re.compile(r"(_pdf\.html$|/email/)")
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\b(src|nonce)=)(?![^>]*application/(ld\+)?json)", re.I
)
INLINE_STYLE = re.compile(r"<style(?![^>]*\bnonce=)|\sstyle=", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (
            part.split() for part in policy.split(";") if part.strip()
        )
    }


@pytest.mark.django_db
def test_public_pages_get_the_strict_policy(client, course):
    policy = directives(client.get(course.url))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    # Checkout posts to this site, which redirects to Stripe's hosted page.
    assert policy["form-action"] == ["'self'", "https://checkout.stripe.com"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


@pytest.mark.django_db
def test_a_nonce_used_by_a_template_is_in_the_policy(rf, settings):
    from django.http import HttpResponse
    from django.template import Context, Template

    from training.csp import ContentSecurityPolicyMiddleware

    def view(request):
        html = Template('<script nonce="{{ request.csp_nonce }}"></script>').render(
            Context({"request": request})
        )
        return HttpResponse(html)

    request = rf.get("/")
    response = ContentSecurityPolicyMiddleware(view)(request)
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in directives(response)["script-src"]


@pytest.mark.django_db
def test_the_admin_is_local_only_and_may_frame_itself(admin_client):
    policy = directives(admin_client.get(reverse("wagtailadmin_home")))
    assert policy["default-src"] == ["'self'"]
    # Wagtail's own templates write inline scripts and styles; nothing loads from elsewhere.
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert "'unsafe-eval'" not in policy["script-src"]


@pytest.mark.django_db
def test_a_page_preview_keeps_the_strict_policy_but_may_be_framed_by_the_admin(
    admin_client, course
):
    module = course.modules[0]
    response = admin_client.get(
        reverse("wagtailadmin_pages:view_draft", args=[module.pk])
    )
    assert response.status_code == 200 and module.title in response.content.decode()
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'self'"]


def browser_templates():
    for directory in TEMPLATE_DIRS:
        for path in directory.rglob("*.html"):
            if not NOT_FOR_BROWSERS.search(path.as_posix()):
                yield path


def test_no_template_needs_inline_script_or_style():
    offenders = []
    for path in browser_templates():
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)}")
    assert offenders == []
