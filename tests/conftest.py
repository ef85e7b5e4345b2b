"""Shared fixtures: the page tree (home, catalogue, course, modules) and users."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
import stripe
from django.contrib.auth import get_user_model
from django.urls import reverse

from courses import services
from courses.models import CourseIndexPage, CoursePage, LearnerProfile, ModulePage
from courses.roles import TRAINERS, ensure_roles
from tests.fakes.stripe_api import FakeStripe

MODULE_KINDS = ["mechanism", "screening", "session_presence", "integration", "ethics"]


def body_with_text(text: str) -> list[dict]:
    return [
        {"type": "heading", "value": {"text": "Overview", "level": "h2"}},
        {"type": "rich_text", "value": f"<p>{text}</p>"},
        {
            "type": "reference",
            "value": {"citation": "Test source", "url": "", "grade": "H", "note": ""},
        },
    ]


def publish_child(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def ensure_site_baseline():
    """The rows the migrations create: a transactional test's flush removes them, so the
    tests that follow rebuild them here instead of depending on test order."""
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page, Site

    from home.models import HomePage

    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root")
    )
    home = HomePage.objects.filter(depth=2).first()
    if home is None:
        home = root.add_child(
            instance=HomePage(title="KAP Clinician Training", slug="home")
        )
    Site.objects.get_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home}
    )
    return home


@pytest.fixture(autouse=True)
def empty_shared_cache():
    """Each test starts and ends with an empty cache: rolled-back tests reuse row ids,
    the cached learner state and page cache are keyed by them, and rate limits count
    per address."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def home_page(db):
    return ensure_site_baseline()


@pytest.fixture
def catalogue(home_page):
    return publish_child(home_page, CourseIndexPage(title="Courses", slug="courses"))


@pytest.fixture
def make_course(catalogue):
    def make(
        *,
        title="Foundations of KAP",
        slug=None,
        price="349.00",
        ce_hours="12",
        modules=3,
        in_order=True,
        kinds=None,
    ):
        course = publish_child(
            catalogue,
            CoursePage(
                title=title,
                slug=slug or title.lower().replace(" ", "-"),
                summary=f"Summary of {title}.",
                price=Decimal(price),
                ce_hours=Decimal(ce_hours),
                credit_type="Continuing education (homestudy)"
                if Decimal(ce_hours)
                else "",
                modules_in_order=in_order,
            ),
        )
        for index in range(modules):
            kind = (kinds or MODULE_KINDS)[index % len(kinds or MODULE_KINDS)]
            publish_child(
                course,
                ModulePage(
                    title=f"Module {index + 1}",
                    slug=f"module-{index + 1}",
                    kind=kind,
                    estimated_minutes=30,
                    summary=f"Summary of module {index + 1}.",
                    body=body_with_text(f"Gated teaching text for module {index + 1}."),
                ),
            )
        return course

    return make


@pytest.fixture
def course(make_course):
    return make_course()


@pytest.fixture
def free_course(make_course):
    return make_course(
        title="Orientation", price="0", ce_hours="0", modules=1, in_order=False
    )


@pytest.fixture
def make_user(db):
    def make(username="learner", *, email=None, password="pw-correct-horse", **extra):
        user = get_user_model().objects.create_user(
            username=username,
            email=email or f"{username}@example.com",
            password=password,
            **extra,
        )
        return user

    return make


@pytest.fixture
def trainer(make_user, catalogue):
    user = make_user("trainer", is_staff=True)
    user.groups.add(ensure_roles()[TRAINERS])
    return user


# --- Payments -------------------------------------------------------------------------

STRIPE_FIXTURES = Path(__file__).parent / "fixtures" / "stripe"
WEBHOOK_SECRET = "whsec_test_secret_for_signatures"


@pytest.fixture
def fake_stripe(settings):
    """The real stripe SDK, pointed at a local fake of Stripe's HTTP API."""
    fake = FakeStripe().start()
    settings.COURSES_STRIPE_SECRET_KEY = "sk_test_fake_key"
    settings.COURSES_STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.COURSES_STRIPE_API_BASE = fake.base_url
    settings.COURSES_PAYMENT_BACKEND = "courses.payments.stripe.StripeBackend"
    yield fake
    fake.stop()


def stripe_event(fixture_name: str, *, event_id: str, **object_fields) -> str:
    """A stored Stripe payload with this test's ids filled in."""
    event = json.loads((STRIPE_FIXTURES / f"{fixture_name}.json").read_text())
    event["id"] = event_id
    event["data"]["object"].update(object_fields)
    return json.dumps(event)


def signed_headers(
    payload: str, *, secret: str = WEBHOOK_SECRET, timestamp=None
) -> dict:
    # Stripe's own signing helper, so the header is exactly what Stripe would send.
    header = stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp
    )
    return {"HTTP_STRIPE_SIGNATURE": header}


def post_webhook(client, payload: str, **header_options):
    return client.post(
        reverse("courses:stripe_webhook"),
        data=payload,
        content_type="application/json",
        **signed_headers(payload, **header_options),
    )


@pytest.fixture
def complete_profile():
    def make(user):
        return LearnerProfile.objects.create(
            user=user,
            legal_name=f"{user.username.title()} Example",
            profession="psychologist",
            licence_number="PSY-123456",
            licence_jurisdiction="Colorado",
            licence_in_good_standing=True,
        )

    return make


@pytest.fixture
def learner(make_user, complete_profile):
    user = make_user("learner")
    complete_profile(user)
    return user


@pytest.fixture
def enrolled_learner(learner, course):
    services.enrolment_grant(
        user=learner, course=course, actor=None, reason="Test setup"
    )
    return learner
