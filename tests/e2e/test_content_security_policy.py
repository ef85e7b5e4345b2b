"""The Content Security Policy is on in a real browser: the learner's quiz and the Wagtail
admin (the page editor with its live preview included) work under it, and the browser
reports no violation."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from assessments.models import Quiz
from courses import services as course_services
from courses.models import CoursePage
from tests.e2e.conftest import check_accessibility, log_in
from tests.e2e.helpers import answer_questions, open_attempt, submit_answers

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Every frame reports what its policy blocked; the console carries the same reports.
REPORT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline code"} ` +
    `on ${document.location.pathname} (${event.sourceFile || "?"}:${event.lineNumber})`
  );
});
"""


@pytest.fixture
def violations(page):
    """CSP violations seen on `page`, from the console and the violation events."""
    found: list[str] = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            found.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )

    def collect() -> list[str]:
        for frame in page.frames:
            try:
                found.extend(frame.evaluate("window.__cspViolations || []"))
            except Exception:  # a frame that navigated away meanwhile
                continue
        return sorted(set(found))

    return collect


def visit(page, path: str):
    response = page.goto(path)
    assert response.status == 200, path
    return response


def strict_policy(response) -> str:
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy and "frame-ancestors 'none'" in policy
    return policy


def test_the_quiz_works_under_the_policy_with_no_violation(page, site, violations):
    User = get_user_model()
    clinician = User.objects.get(email="clinician@example.com")
    course = CoursePage.objects.get(slug="foundations-of-kap")
    course_services.enrolment_grant(
        user=clinician, course=course, actor=None, reason="CSP test"
    )
    log_in(page, "clinician@example.com", "demo-clinician")

    strict_policy(visit(page, "/"))
    strict_policy(visit(page, course.url))
    module = course.modules[0]
    strict_policy(visit(page, f"/courses/foundations-of-kap/{module.slug}/"))
    quiz = Quiz.objects.get(module=module)
    visit(page, f"/learn/quizzes/{quiz.pk}/")
    page.get_by_role("button", name=re.compile(r"^Start")).click()
    expect(page.get_by_role("button", name="Submit answers")).to_be_visible()
    # attempt.js is deferred: it listens for answers only once the document has loaded.
    page.wait_for_load_state("domcontentloaded")

    attempt = open_attempt(clinician)
    with page.expect_response(re.compile(r"/save/$")) as saved:
        answer_questions(page, attempt, correctly=True)
    assert saved.value.status == 200  # the autosave ran (a fetch under connect-src)
    check_accessibility(page, "quiz under the policy")
    submit_answers(page)
    expect(page.get_by_text(re.compile(r"^You passed \(pass mark"))).to_be_visible()
    visit(page, "/learn/my-courses/")
    assert violations() == []


def test_the_admin_and_its_live_preview_work_under_the_policy(page, site, violations):
    course = CoursePage.objects.get(slug="foundations-of-kap")
    quiz = Quiz.objects.filter(module__in=course.modules).first()
    log_in(page, "superuser@example.com", "demo-superuser")

    admin_policy = visit(page, "/admin/").headers["content-security-policy"]
    assert "default-src 'self'" in admin_policy
    assert "frame-ancestors 'self'" in admin_policy
    for path in [
        "/admin/pages/",
        f"/admin/pages/{course.pk}/",
        "/admin/images/",
        "/admin/documents/",
        "/admin/learning/enrolments/",
        "/admin/learning/orders/",
        "/admin/assessments/questions/",
        f"/admin/assessments/quizzes/analytics/{quiz.pk}/",
        "/admin/certificates/records/",
        f"/admin/certificates/records/bulk/?course={course.pk}",
        "/admin/users/",
    ]:
        visit(page, path)

    # The page editor, with the live preview framed from the admin's own origin.
    visit(page, f"/admin/pages/{course.modules[0].pk}/edit/")
    page.get_by_role("button", name="Toggle preview").click()
    preview = page.frame_locator("iframe[title='Preview']").last
    expect(preview.get_by_role("heading", level=1)).to_have_text(
        course.modules[0].title
    )
    page.get_by_role("button", name="Toggle preview").click()
    assert violations() == []
