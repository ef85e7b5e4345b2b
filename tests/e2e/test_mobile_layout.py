"""Every learner page fits a 390 px phone: nothing is wider than the viewport.

Wide tables may scroll inside their own box; the page itself never scrolls sideways.
"""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from assessments import services as assessment_services
from assessments.certificates import services as certificate_services
from assessments.models import Quiz, QuizKind
from courses import services as course_services
from courses.models import CoursePage, Order, OrderStatus
from tests.assessments.conftest import correct_answers
from tests.e2e.conftest import log_in, screenshot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 390, "height": 844}
CLINICAL_BLOCKS = {
    "screening checklist": ".checklist",
    "session timeline": ".timeline",
    "EMDR-pairing map": ".emdr-map",
    "case vignette": ".vignette",
    "callout": ".callout",
    "key takeaways": ".takeaways",
}

OVERFLOW_SCRIPT = """(width) => {
  const root = document.scrollingElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .filter((el) => !el.closest('.table-scroll'))
    .slice(0, 5)
    .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  return {scrollWidth: root.scrollWidth, innerWidth: window.innerWidth, wide};
}"""


def phone_page(browser, base_url):
    context = browser.new_context(
        base_url=base_url, viewport=PHONE, device_scale_factor=2, is_mobile=True
    )
    context.set_default_timeout(15_000)
    return context, context.new_page()


def assert_fits(page, path: str, name: str) -> None:
    response = page.goto(path)
    assert response.ok, f"{name}: {path} answered {response.status}"
    measured = page.evaluate(OVERFLOW_SCRIPT, PHONE["width"])
    # A phone browser widens its layout viewport to fit a page that overflows, so
    # innerWidth alone would hide the problem: both must stay at the phone's width.
    widest = max(measured["scrollWidth"], measured["innerWidth"])
    assert widest <= PHONE["width"], (
        f"{name} ({path}) is {widest} px wide on a {PHONE['width']} px phone; "
        f"wide elements: {measured['wide']}"
    )


def enrolled_learner_with_history(course, orientation):
    """The demo clinician: enrolled in both courses, every Foundations module and the
    post-test passed (so the evaluation is open), an orientation certificate, and orders."""
    user = get_user_model().objects.get(email="clinician@example.com")
    admin = get_user_model().objects.get(email="admin@example.com")
    for each in (course, orientation):
        course_services.enrolment_grant(
            user=user, course=each, actor=None, reason="Mobile layout test"
        )
    for module in course.modules:
        course_services.progress_record_visit(user=user, module=module)
    quizzes = Quiz.objects.filter(module__in=course.modules) | Quiz.objects.filter(
        course=course, kind=QuizKind.POST_TEST
    )
    for quiz in quizzes:
        attempt = assessment_services.attempt_start(user=user, quiz=quiz)
        assessment_services.attempt_submit(
            attempt=attempt, answers=correct_answers(attempt)
        )
    certificate = certificate_services.certificate_issue(
        user=user,
        course=course,
        actor=admin,
        override_reason="Issued for the mobile layout test",
    )
    for status in (OrderStatus.PAID, OrderStatus.EXPIRED, OrderStatus.REFUNDED):
        Order.objects.create(
            user=user,
            course=course,
            course_title=course.title,
            amount=Decimal("349.00"),
            currency="USD",
            provider="testmode",
            status=status,
        )
    return user, certificate


def test_no_learner_page_is_wider_than_a_phone(browser, site):
    course = CoursePage.objects.get(slug="foundations-of-kap")
    orientation = CoursePage.objects.get(slug="kap-and-infusion-clinics-orientation")
    user, certificate = enrolled_learner_with_history(course, orientation)
    public_pages = [
        ("/", "home"),
        (course.get_parent().url, "catalogue"),
        (course.url, "course page"),
        (orientation.url, "free course page"),
        ("/accounts/signup/", "sign up"),
        ("/accounts/login/", "log in"),
        ("/search/?q=ketamine", "search"),
        (reverse("certificates:verify_form"), "verify form"),
        (reverse("certificates:verify", args=[certificate.code]), "verification"),
        (reverse("certificates:badge", args=[certificate.code]), "badge page"),
    ]

    context, page = phone_page(browser, site.url)
    for path, name in public_pages:
        assert_fits(page, path, f"{name} (anonymous)")

    # The price and the enroll button are on screen without scrolling.
    page.goto(course.url)
    bar = page.get_by_role("region", name="Enroll")
    expect(bar.get_by_text("USD 349.00")).to_be_in_viewport()
    expect(bar.get_by_role("link", name="Sign up to enroll")).to_be_in_viewport()
    screenshot(page, "phone-course-page-anonymous")
    context.close()

    context, page = phone_page(browser, site.url)
    log_in(page, "clinician@example.com", "demo-clinician")
    order = Order.objects.filter(user=user).first()
    post_test = Quiz.objects.get(course=course, kind=QuizKind.POST_TEST)
    self_check = Quiz.objects.get(module__in=orientation.modules)
    learner_pages = [
        (course.url, "course page"),
        (reverse("courses:dashboard"), "dashboard"),
        (reverse("courses:profile"), "profile"),
        (reverse("courses:order_list"), "order history"),
        (reverse("courses:order_detail", args=[order.reference]), "receipt"),
        (reverse("assessments:quiz", args=[post_test.pk]), "post-test page"),
        (reverse("assessments:evaluation", args=[course.pk]), "evaluation"),
        (reverse("assessments:my_certificates"), "my certificates"),
        (reverse("assessments:transcript"), "transcript"),
    ]
    for path, name in learner_pages:
        assert_fits(page, path, name)

    # The progress, post-test and certificate cards keep apart (they used to touch).
    page.goto(course.url)
    gaps = page.evaluate(
        """() => [...document.querySelectorAll('.course-main > .panel')]
          .map((el) => el.getBoundingClientRect())
          .map((box, i, boxes) => i ? box.top - boxes[i - 1].bottom : null)
          .slice(1)"""
    )
    assert len(gaps) >= 2 and min(gaps) >= 12, gaps

    seen_blocks = set()
    for module in [*course.modules, *orientation.modules]:
        assert_fits(page, module.url, f"module {module.title!r}")
        for block, selector in CLINICAL_BLOCKS.items():
            if page.locator(selector).count():
                seen_blocks.add(block)
        # The contents list folds away on a phone, so the lesson starts on screen.
        toc = page.locator("details.toc")
        if toc.count():
            expect(toc).not_to_have_attribute("open", "")
    assert seen_blocks == set(CLINICAL_BLOCKS), "a clinical block was not visited"

    # A wide table scrolls inside its own labelled, focusable box.
    page.goto(course.modules[1].url)
    scroller = page.locator(".table-scroll").first
    expect(scroller).to_have_attribute("tabindex", "0")
    expect(scroller).to_have_attribute("role", "region")
    assert scroller.get_attribute("aria-label")

    # A quiz attempt and its result.
    page.goto(reverse("assessments:quiz", args=[self_check.pk]))
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.get_by_role("button", name="Submit answers")).to_be_visible()
    assert_fits(page, page.url.replace(site.url, ""), "quiz attempt")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("Score:")).to_be_visible()
    assert_fits(page, page.url.replace(site.url, ""), "quiz result")
    screenshot(page, "phone-quiz-result")
    context.close()
