"""The certificate lifecycle without dead ends (issue #12): reinstate, a revoked certificate
that looks revoked everywhere, honest admin messages, and only the actions that apply."""

import io
import re

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import dateformat, timezone
from pypdf import PdfReader

from assessments.certificates import services
from assessments.models import (
    AuditAction,
    AuditEvent,
    Certificate,
    CertificateStatus,
)
from courses.roles import CERTIFICATE_ADMINISTRATORS, ensure_roles
from tests.assessments.conftest import evaluation_answers

pytestmark = pytest.mark.django_db


def today() -> str:
    return dateformat.format(timezone.localdate(), "j F Y")


def issued(user, course) -> Certificate:
    # The PDF and the email are tasks queued on commit; run them as the commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.evaluation_submit(
            user=user, course=course, answers=evaluation_answers(course)
        )
    return Certificate.objects.get(user=user, course=course)


@pytest.fixture
def records_admin(make_user, catalogue):
    user = make_user("records", is_staff=True, first_name="Rita", last_name="Records")
    user.groups.add(ensure_roles()[CERTIFICATE_ADMINISTRATORS])
    return user


@pytest.fixture
def certificate(completed_learner, course, media_root):
    return issued(completed_learner, course)


@pytest.fixture
def revoked(certificate, records_admin):
    return services.certificate_revoke(
        certificate=certificate, actor=records_admin, reason="Wrong learner selected"
    )


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split()), len(reader.pages)


# --- Reinstate (service) ------------------------------------------------------------


def test_reinstate_makes_a_revoked_certificate_valid_again(
    client, revoked, records_admin, django_capture_on_commit_callbacks
):
    status_url = reverse("certificates:status", args=[revoked.code])
    verify_url = reverse("certificates:verify", args=[revoked.code])
    assert client.get(status_url).json()["revoked"] is True
    assert "Revoked" in client.get(verify_url).content.decode()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_reinstate(
            certificate=revoked, actor=records_admin, reason="Revoked the wrong learner"
        )
    revoked.refresh_from_db()
    assert revoked.status == CertificateStatus.VALID and revoked.version == 1
    assert revoked.revoked_at is None and revoked.revoke_reason == ""

    status = client.get(status_url).json()
    assert status["revoked"] is False and status["status"] == "valid"
    assert status["revokedCredentials"] == []
    page = client.get(verify_url).content.decode()
    assert "Valid" in page and "was revoked" not in page

    # The history keeps both events, with both reasons.
    events = list(
        AuditEvent.objects.filter(certificate_code=revoked.code).order_by("pk")
    )
    assert [e.action for e in events] == [
        AuditAction.CERTIFICATE_ISSUED,
        AuditAction.CERTIFICATE_REVOKED,
        AuditAction.CERTIFICATE_REINSTATED,
    ]
    assert events[1].reason == "Wrong learner selected"
    assert events[2].reason == "Revoked the wrong learner"
    assert events[2].data["revoke_reason"] == "Wrong learner selected"
    assert events[2].actor_label == "Rita Records"
    assert events[2].subject_label == "Learner Example"

    (message,) = mail.outbox
    assert (
        message.subject == f"Your certificate for {revoked.course_title} is valid again"
    )
    assert "Revoked the wrong learner" in message.body
    assert f"/certificates/verify/{revoked.code}/" in message.body


def test_reinstate_needs_a_reason_and_a_revoked_certificate(certificate, records_admin):
    with pytest.raises(services.CertificateError, match="reason is required"):
        services.certificate_reinstate(
            certificate=certificate, actor=records_admin, reason="  "
        )
    with pytest.raises(services.CertificateError, match="Only a revoked certificate"):
        services.certificate_reinstate(
            certificate=certificate, actor=records_admin, reason="Why not"
        )
    assert not AuditEvent.objects.filter(
        action=AuditAction.CERTIFICATE_REINSTATED
    ).exists()


def test_a_revoked_certificate_is_not_reissued_and_says_what_to_do(
    revoked, records_admin
):
    with pytest.raises(services.CertificateError, match="reinstate it first"):
        services.certificate_reissue(
            certificate=revoked, actor=records_admin, reason="Name change"
        )
    revoked.refresh_from_db()
    assert revoked.version == 1 and revoked.status == CertificateStatus.REVOKED


def test_issuing_by_hand_never_pretends(revoked, records_admin, course):
    before = AuditEvent.objects.count()
    with pytest.raises(services.CertificateAlreadyIssued) as error:
        services.certificate_issue(
            user=revoked.user, course=course, actor=records_admin, override_reason="x"
        )
    assert error.value.certificate == revoked
    assert "Nothing was issued" in str(error.value)
    assert f"Revoked on {today()}: Wrong learner selected." in str(error.value)
    assert "reinstate it instead" in str(error.value)
    assert AuditEvent.objects.count() == before
    assert Certificate.objects.count() == 1

    services.certificate_reinstate(
        certificate=revoked, actor=records_admin, reason="Mistake"
    )
    with pytest.raises(services.CertificateAlreadyIssued, match="already has a valid"):
        services.certificate_issue(
            user=revoked.user, course=course, actor=records_admin
        )
    # The automatic path stays idempotent: it returns the certificate the learner has.
    assert services.certificate_issue(user=revoked.user, course=course) == revoked


# --- Admin screens ----------------------------------------------------------------------


def test_add_certificate_for_a_revoked_one_offers_reinstate(
    client, revoked, records_admin, course
):
    client.force_login(records_admin)
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("certificate_records:add"),
        {"user": revoked.user.pk, "course": course.pk, "override_reason": ""},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was issued" in html and "issued to" not in html
    manage_url = reverse("certificate_records:manage", args=[revoked.pk])
    assert f'href="{manage_url}"' in html and "Reinstate this certificate" in html
    assert AuditEvent.objects.count() == before


def test_override_error_lists_what_is_missing(
    client, enrolled_learner, post_test, course, records_admin
):
    client.force_login(records_admin)
    response = client.post(
        reverse("certificate_records:add"),
        {"user": enrolled_learner.pk, "course": course.pk, "override_reason": ""},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        "not eligible yet (missing: every module complete; final post-test passed; "
        "course evaluation submitted), so an override reason is required" in html
    )
    assert "Every module complete (0 of 3)" in html
    assert not Certificate.objects.exists()


def test_the_learner_picker_is_a_chooser_over_learners_only(
    client, learner, make_user, records_admin, trainer, complete_profile
):
    dana = make_user("dreyes", email="dana.reyes@example.com")
    profile = complete_profile(dana)
    profile.legal_name, profile.licence_number = "Dana M. Reyes", "LCSW-778899"
    profile.save()
    make_user("boss", is_staff=True, email="reyes.boss@example.com")
    client.force_login(records_admin)

    form = client.get(reverse("certificate_records:add")).content.decode()
    assert "Choose a learner" in form and "<select" in form  # the course is a select
    assert 'name="user"' in form and 'type="hidden"' in form

    results = reverse("certificate_learner_chooser:choose_results")
    for query in ("reyes", "dana reyes", "778899", "dana.reyes@"):
        html = client.get(results, {"q": query}).content.decode()
        assert "Dana M. Reyes" in html, query
        assert "reyes.boss" not in html and "Learner Example" not in html
    everyone = client.get(results).content.decode()
    assert "Learner Example" in everyone and "Rita" not in everyone
    chosen = client.get(
        reverse("certificate_learner_chooser:chosen", args=[dana.pk])
    ).json()
    assert chosen["result"]["title"] == (
        "Dana M. Reyes · dana.reyes@example.com · LCSW-778899"
    )

    # Staff can never be chosen, even by a hand-made request.
    response = client.post(
        reverse("certificate_records:add"),
        {"user": records_admin.pk, "course": "", "override_reason": "x"},
    )
    assert response.status_code == 400 and not Certificate.objects.exists()

    # Learners' emails and licences are for certificate administrators only.
    client.force_login(trainer)
    assert client.get(results, {"q": "reyes"}).status_code in (302, 403)


def test_manage_offers_only_the_actions_that_apply(client, certificate, records_admin):
    client.force_login(records_admin)
    url = reverse("certificate_records:manage", args=[certificate.pk])
    html = client.get(url).content.decode()
    assert 'value="revoke"' in html and 'value="reissue"' in html
    assert 'value="reinstate"' not in html
    index = client.get(reverse("certificate_records:index")).content.decode()
    assert "Revoke or reissue…" in index and "Reinstate…" not in index

    services.certificate_revoke(
        certificate=certificate, actor=records_admin, reason="Licence lapsed"
    )
    html = client.get(url).content.decode()
    assert 'value="reinstate"' in html
    assert 'value="revoke"' not in html and 'value="reissue"' not in html
    assert f"Revoked on {today()}: Licence lapsed." in html
    index = client.get(reverse("certificate_records:index")).content.decode()
    assert "Reinstate…" in index and "Revoke or reissue…" not in index

    # A stale form cannot revoke twice or reissue a revoked certificate.
    for action in ("revoke", "reissue"):
        response = client.post(
            url, {"action": action, "reason": "again", "confirmed": "yes"}
        )
        assert response.status_code == 400
        assert "This certificate is revoked" in response.content.decode()
    assert AuditEvent.objects.filter(certificate_code=certificate.code).count() == 2


@pytest.mark.django_db(transaction=True)
def test_revoke_asks_first_and_both_actions_say_what_was_done(
    client, completed_learner, course, make_user, media_root
):
    certificate = issued(completed_learner, course)
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("certificate_records:manage", args=[certificate.pk])
    data = {"action": "revoke", "reason": "Issued to the wrong learner"}

    confirm = client.post(url, data).content.decode()
    assert "Revoke this certificate?" in confirm
    assert "Learner Example will be emailed" in confirm
    assert 'name="confirmed" value="yes"' in confirm
    assert Certificate.objects.get().status == CertificateStatus.VALID

    mail.outbox.clear()
    page = client.post(url, {**data, "confirmed": "yes"}, follow=True)
    html = page.content.decode()
    assert (
        f"Certificate {certificate.code} revoked; Learner Example was emailed." in html
    )
    assert mail.outbox[-1].subject.endswith("has been revoked")

    page = client.post(
        url, {"action": "reinstate", "reason": "Revoked by mistake"}, follow=True
    )
    html = page.content.decode()
    assert (
        f"Certificate {certificate.code} reinstated; Learner Example was emailed."
        in html
    )
    assert "is valid again" in mail.outbox[-1].subject
    # The history on the same screen shows both.
    assert "Certificate revoked" in html and "Certificate reinstated" in html
    assert "Revoked by mistake" in html and "Issued to the wrong learner" in html


def test_bulk_issue_lists_who_is_blocked_and_why(
    client, course, post_test, enrolled_learner, make_user, records_admin
):
    make_user("nobody-enrolled")
    client.force_login(records_admin)
    html = client.get(
        reverse("certificate_records:bulk"), {"course": course.pk}
    ).content.decode()
    assert "0 eligible learners" in html
    assert "1 learner with access but no certificate cannot get one yet" in html
    assert "Learner Example" in html
    assert "Every module complete (0 of 3); Final post-test passed" in html
    assert "nobody-enrolled" not in html


# --- A revoked certificate looks revoked everywhere -------------------------------------


def test_the_revoked_pdf_carries_a_revoked_mark(client, certificate, records_admin):
    url = reverse("assessments:certificate_pdf", args=[certificate.code])
    client.force_login(certificate.user)
    valid = client.get(url)
    text, _pages = pdf_text(b"".join(valid.streaming_content))
    assert "REVOKED" not in text and "Learner Example" in text

    services.certificate_revoke(
        certificate=certificate, actor=records_admin, reason="Licence lapsed"
    )
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert "REVOKED" in response["Content-Disposition"]
    text, pages = pdf_text(response.content)
    assert pages == 1
    assert "REVOKED" in text and "Licence lapsed" in text and "not valid" in text
    # The stored document of record is untouched.
    with certificate.documents.get().pdf.open("rb") as stored:
        assert "REVOKED" not in pdf_text(stored.read())[0]


def test_learner_pages_say_revoked_on_date_with_the_reason(
    client, revoked, course, completed_learner
):
    client.force_login(completed_learner)
    words = f"Revoked on {today()}: Wrong learner selected."

    course_page = client.get(course.url).content.decode()
    assert words in course_page
    assert "Download the certificate (PDF)" not in course_page
    assert "Issued " not in course_page

    mine = client.get(reverse("assessments:my_certificates")).content.decode()
    assert words in mine and "Download a copy marked REVOKED (PDF)" in mine
    assert "Download the PDF certificate" not in mine
    assert "Open Badges credential" not in mine and "Share link" not in mine

    dashboard = client.get(reverse("courses:dashboard")).content.decode()
    assert "Certificate revoked" in dashboard and words in dashboard
    assert "Completed" not in dashboard

    transcript = client.get(reverse("assessments:transcript")).content.decode()
    assert words in transcript and "Not counted" in transcript
    assert "No hours yet" in transcript  # excluded from the hours
    rows = (
        client.get(reverse("assessments:transcript_csv")).content.decode().splitlines()
    )
    assert len(rows) == 2 and revoked.code in rows[1]
    assert ",," in rows[1] and words in rows[1]
    transcript_pdf = client.get(reverse("assessments:transcript_pdf")).content
    text, _pages = pdf_text(transcript_pdf)
    assert revoked.code in text and "Revoked" in text


# --- Admin polish -----------------------------------------------------------------------


def test_exports_have_human_headings_and_plain_dates(client, revoked, records_admin):
    client.force_login(records_admin)
    export = client.get(reverse("certificate_records:index"), {"export": "csv"})
    header, row = b"".join(export.streaming_content).decode().splitlines()[:2]
    assert "Email" in header and "CE hours" in header and "Completed on" in header
    assert "user.email" not in header and "Ce hours" not in header
    local = timezone.localtime(revoked.issued_at).strftime("%Y-%m-%d %H:%M")
    assert local in row and "+00:00" not in row
    assert revoked.completion_date.isoformat() in row

    audit = client.get(reverse("certificate_audit:index"), {"export": "csv"})
    lines = b"".join(audit.streaming_content).decode().splitlines()
    assert lines[0].startswith("When,Action,By,Learner,Course,Certificate code,Reason")
    assert "Actor label" not in lines[0]
    issued_row = next(line for line in lines if "Certificate issued" in line)
    assert ",system,Learner Example," in issued_row and "+00:00" not in issued_row
    revoked_row = next(line for line in lines if "Certificate revoked" in line)
    assert ",Rita Records,Learner Example," in revoked_row

    listing = client.get(reverse("certificate_audit:index")).content.decode()
    assert "Actor label" not in listing and "system" in listing
    assert "export=csv" in listing and "Download CSV" in listing


def test_inspect_view_labels(client, certificate, records_admin):
    client.force_login(records_admin)
    html = client.get(
        reverse("certificate_records:inspect", args=[certificate.pk])
    ).content.decode()
    assert "CE hours" in html and "Ce hours" not in html
    issued_by = re.search(r"Issued by</dt>\s*<dd>(.*?)</dd>", html, re.S).group(1)
    assert issued_by.strip() == "system (issued automatically)"


def make_eligible(user, course, post_test):
    from assessments import services as attempt_services
    from assessments.models import EvaluationResponse
    from courses import services as course_services
    from tests.assessments.conftest import correct_answers

    course_services.enrolment_grant(user=user, course=course, actor=None, reason="t")
    for module in course.modules:
        course_services.progress_record_visit(user=user, module=module)
    attempt = attempt_services.attempt_start(user=user, quiz=post_test)
    attempt_services.attempt_submit(attempt=attempt, answers=correct_answers(attempt))
    # Stored without the service, so that bulk issue has something to do.
    EvaluationResponse.objects.create(user=user, course=course, answers=[])


@pytest.mark.django_db(transaction=True)
def test_bulk_issue_without_javascript_confirms_then_names_who_got_one(
    client,
    course,
    post_test,
    make_user,
    complete_profile,
    media_root,
    django_capture_on_commit_callbacks,
):
    for name in ("ana", "ben"):
        user = make_user(name)
        complete_profile(user)
        make_eligible(user, course, post_test)
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("certificate_records:bulk")

    confirm = client.post(url, {"course": course.pk}).content.decode()
    assert (
        "Issue these certificates?" in confirm
        and "Yes, issue 2 certificates" in confirm
    )
    assert "Ana Example" in confirm and "Ben Example" in confirm
    assert not Certificate.objects.exists()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url, {"course": course.pk, "confirmed": "yes"})
    done = client.get(started["Location"]).content.decode()
    assert (
        f"Issuing 2 certificates for {course.title}: Ana Example, Ben Example. "
        "Each learner is emailed once their certificate&#x27;s PDF is ready" in done
    )
    assert "2 of 2 learners handled: 2 issued" in done
    assert Certificate.objects.count() == 2 and len(mail.outbox) == 2
