import io
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.utils import DatabaseError
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments import services as attempt_services
from assessments.certificates import jobs, services
from assessments.certificates.selectors import certificate_eligibility
from assessments.models import (
    AuditAction,
    AuditEvent,
    BulkIssue,
    Certificate,
    CertificateDocument,
    CertificateStatus,
    EvaluationResponse,
)
from courses import services as course_services
from courses.models import Enrolment, LearnerProfile
from tests.assessments.conftest import evaluation_answers

pytestmark = pytest.mark.django_db


def pdf_text(certificate) -> str:
    with certificate.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(page.extract_text() for page in reader.pages)


# --- Eligibility ------------------------------------------------------------------------


def test_eligibility_lists_what_is_missing(enrolled_learner, post_test, course):
    state = certificate_eligibility(enrolled_learner, course)
    assert not state["eligible"]
    assert state["missing"] == [
        "Every module complete",
        "Final post-test passed",
        "Course evaluation submitted",
    ]


def test_each_rule_is_required(completed_learner, course):
    assert certificate_eligibility(completed_learner, course)["missing"] == [
        "Course evaluation submitted"
    ]
    EvaluationResponse.objects.create(user=completed_learner, course=course, answers=[])
    assert certificate_eligibility(completed_learner, course)["eligible"]

    profile = LearnerProfile.objects.get(user=completed_learner)
    profile.licence_in_good_standing = False
    profile.save()  # as an administrator's form would
    assert certificate_eligibility(completed_learner, course)["missing"] == [
        "Professional profile complete (name and license for the certificate)"
    ]
    profile.licence_in_good_standing = True
    profile.save()

    enrolment = Enrolment.objects.get(user=completed_learner)
    course_services.enrolment_revoke(enrolment=enrolment, actor=None, reason="Refund")
    assert certificate_eligibility(completed_learner, course)["missing"] == [
        "Enrollment active"
    ]


def test_the_course_page_shows_the_checklist(
    client, enrolled_learner, post_test, course
):
    client.force_login(enrolled_learner)
    html = client.get(course.url).content.decode()
    assert "Your certificate" in html
    assert "Course evaluation submitted" in html and "not done yet" in html


# --- Automatic issue --------------------------------------------------------------------


def test_certificate_is_issued_automatically_on_the_evaluation(
    client, completed_learner, course, media_root, django_capture_on_commit_callbacks
):
    client.force_login(completed_learner)
    url = reverse("assessments:evaluation", args=[course.pk])
    page = client.get(url).content.decode()
    assert "The content was evidence-based and free of commercial bias." in page

    bad = client.post(url, {})
    assert bad.status_code == 400 and "Please choose a rating." in bad.content.decode()
    assert not Certificate.objects.exists()

    data = {f"item_{a['item_id']}": a["value"] for a in evaluation_answers(course)}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse(
        "assessments:my_certificates"
    )
    certificate = Certificate.objects.get(user=completed_learner, course=course)
    assert certificate.learner_name == "Learner Example"
    assert certificate.licence_number == "PSY-123456"
    assert (
        certificate.course_title == course.title
        and certificate.ce_hours == course.ce_hours
    )
    assert certificate.issued_by is None and certificate.override_reason == ""
    assert len(certificate.code) >= 30
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CERTIFICATE_ISSUED, certificate_code=certificate.code
        ).count()
        == 1
    )
    assert [m.subject for m in mail.outbox][-1] == f"Your certificate: {course.title}"
    assert certificate.code in mail.outbox[-1].body or "verify" in mail.outbox[-1].body

    # A second evaluation POST and a re-run change nothing.
    client.post(url, data)
    services.certificate_issue_if_eligible(user=completed_learner, course=course)
    assert Certificate.objects.count() == 1 and CertificateDocument.objects.count() == 1


def test_the_pdf_carries_everything_and_reads_back(
    completed_learner, course, media_root
):
    certificate = issued(completed_learner, course)
    text = pdf_text(certificate)
    for expected in (
        "Learner Example",
        "PSY-123456",
        course.title,
        "12 contact hours",
        "not approved for CE credit",
        f"/certificates/verify/{certificate.code}/",
        "not a license",
    ):
        assert expected in text, expected


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_issue_exactly_once(completed_learner, course, media_root):
    EvaluationResponse.objects.create(user=completed_learner, course=course, answers=[])
    barrier = threading.Barrier(6)
    errors = []

    def issue():
        try:
            barrier.wait()
            services.certificate_issue_if_eligible(
                user=completed_learner, course=course
            )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert Certificate.objects.count() == 1
    assert CertificateDocument.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.CERTIFICATE_ISSUED).count() == 1


# --- Administrators ---------------------------------------------------------------------


def test_manual_issue_needs_an_override_reason_when_not_eligible(
    enrolled_learner, course, make_user, media_root
):
    admin = make_user("records", is_staff=True)
    with pytest.raises(services.CertificateError, match="override reason"):
        services.certificate_issue(user=enrolled_learner, course=course, actor=admin)
    certificate = services.certificate_issue(
        user=enrolled_learner,
        course=course,
        actor=admin,
        override_reason="Completed at a live workshop",
    )
    assert certificate.issued_by == admin
    event = AuditEvent.objects.get(certificate_code=certificate.code)
    assert event.action == AuditAction.CERTIFICATE_ISSUED_OVERRIDE
    assert event.reason == "Completed at a live workshop"
    assert "Course evaluation submitted" in event.data["missing"]


def test_revoke_and_the_verification_page(
    client, completed_learner, course, make_user, media_root
):
    services.evaluation_submit(
        user=completed_learner, course=course, answers=evaluation_answers(course)
    )
    certificate = Certificate.objects.get()
    page = client.get(
        reverse("certificates:verify", args=[certificate.code])
    ).content.decode()
    assert "Valid" in page and "Learner Example" in page

    admin = make_user("records", is_staff=True)
    with pytest.raises(services.CertificateError):
        services.certificate_revoke(certificate=certificate, actor=admin, reason="")
    services.certificate_revoke(
        certificate=certificate, actor=admin, reason="Licence lapsed"
    )
    page = client.get(
        reverse("certificates:verify", args=[certificate.code])
    ).content.decode()
    assert "Revoked" in page and timezone.localdate().strftime("%Y") in page
    assert (
        AuditEvent.objects.filter(action=AuditAction.CERTIFICATE_REVOKED).get().reason
        == "Licence lapsed"
    )


def test_reissue_after_a_name_correction(
    completed_learner,
    course,
    make_user,
    media_root,
    django_capture_on_commit_callbacks,
):
    certificate = issued(completed_learner, course)
    first_pdf = certificate.pdf.name
    LearnerProfile.objects.filter(user=completed_learner).update(
        legal_name="Learner Example-Okafor"
    )
    admin = make_user("records", is_staff=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_reissue(
            certificate=certificate, actor=admin, reason="Name change by marriage"
        )
    certificate.refresh_from_db()
    assert (
        certificate.version == 2
        and certificate.learner_name == "Learner Example-Okafor"
    )
    assert certificate.pdf.name != first_pdf
    old, new = CertificateDocument.objects.order_by("version")
    assert old.superseded_at is not None and new.superseded_at is None
    assert old.pdf.storage.exists(old.pdf.name)  # superseded, not deleted
    assert "Learner Example-Okafor" in pdf_text(certificate)
    assert mail.outbox == []  # a reissue renders a new PDF but sends no "issued" email
    event = AuditEvent.objects.get(action=AuditAction.CERTIFICATE_REISSUED)
    assert event.data["changed"]["learner_name"] == [
        "Learner Example",
        "Learner Example-Okafor",
    ]


def test_audit_events_cannot_be_edited_or_deleted(
    completed_learner, course, media_root
):
    services.evaluation_submit(
        user=completed_learner, course=course, answers=evaluation_answers(course)
    )
    event = AuditEvent.objects.filter(action=AuditAction.CERTIFICATE_ISSUED).get()
    event.reason = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    # Below the ORM, the database refuses too.
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("UPDATE assessments_auditevent SET reason = 'rewritten'")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), connection.cursor() as cursor:
            cursor.execute("DELETE FROM assessments_auditevent")


def test_audit_log_is_read_only_in_the_admin(
    client, make_user, catalogue, completed_learner, course, media_root
):
    services.evaluation_submit(
        user=completed_learner, course=course, answers=evaluation_answers(course)
    )
    event = AuditEvent.objects.first()
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get(reverse("certificate_audit:index")).status_code == 200
    for name in ("edit", "delete"):
        assert client.get(
            reverse(f"certificate_audit:{name}", args=[event.pk])
        ).status_code in (302, 403)
    assert client.get(reverse("certificate_audit:add")).status_code in (302, 403)


# --- Verification -----------------------------------------------------------------------


def issued(completed_learner, course):
    # The PDF and the email are tasks queued on commit; run them as the commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.evaluation_submit(
            user=completed_learner, course=course, answers=evaluation_answers(course)
        )
    return Certificate.objects.get()


def test_verification_shows_little_that_is_personal(
    client, completed_learner, course, media_root
):
    certificate = issued(completed_learner, course)
    html = client.get(
        reverse("certificates:verify", args=[certificate.code])
    ).content.decode()
    assert "••••••3456" in html and "PSY-123456" not in html
    assert completed_learner.email not in html
    assert "12" in html and course.title in html


def test_expired_certificate(client, completed_learner, course, media_root):
    certificate = issued(completed_learner, course)
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_at=timezone.localdate() - timedelta(days=1)
    )
    html = client.get(
        reverse("certificates:verify", args=[certificate.code])
    ).content.decode()
    assert "Expired" in html


def test_unknown_code_is_a_friendly_404(client):
    response = client.get(reverse("certificates:verify", args=["NOPE1234"]))
    assert response.status_code == 404
    assert "We couldn't find that certificate" in response.content.decode()


def test_verify_form_redirects_to_the_code(client):
    response = client.get(reverse("certificates:verify_form"), {"code": " ab cd "})
    assert response.status_code == 302 and response["Location"].endswith(
        "/verify/ABCD/"
    )


def test_verification_is_rate_limited(client, settings):
    settings.ASSESSMENTS_VERIFICATION_RATE_LIMIT = (5, 60)
    from django.core.cache import cache

    cache.clear()
    statuses = [
        client.get(reverse("certificates:verify", args=[f"X{i}"])).status_code
        for i in range(7)
    ]
    assert statuses[:5] == [404] * 5 and statuses[5:] == [429, 429]
    cache.clear()


def test_verification_query_budget(
    client, completed_learner, course, media_root, django_assert_max_num_queries
):
    certificate = issued(completed_learner, course)
    url = reverse("certificates:verify", args=[certificate.code])
    client.get(url)
    with django_assert_max_num_queries(4):
        assert client.get(url).status_code == 200


# --- Learner pages ----------------------------------------------------------------------


def test_owner_downloads_the_pdf_and_nobody_else_can(
    client, completed_learner, course, make_user, media_root
):
    certificate = issued(completed_learner, course)
    url = reverse("assessments:certificate_pdf", args=[certificate.code])
    client.force_login(completed_learner)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(make_user("stranger"))
    assert client.get(url).status_code == 404


def test_my_certificates_and_transcript(client, completed_learner, course, media_root):
    certificate = issued(completed_learner, course)
    client.force_login(completed_learner)
    page = client.get(reverse("assessments:my_certificates")).content.decode()
    assert certificate.code in page and "Copy link" in page
    transcript = client.get(reverse("assessments:transcript")).content.decode()
    assert str(timezone.localdate().year) in transcript and "12" in transcript
    csv_body = client.get(reverse("assessments:transcript_csv")).content.decode()
    assert certificate.code in csv_body and course.title in csv_body
    pdf = client.get(reverse("assessments:transcript_pdf"))
    reader = PdfReader(io.BytesIO(pdf.content))
    assert course.title in reader.pages[0].extract_text()


# --- Expiry reminders -------------------------------------------------------------------


def test_expiry_reminders_are_sent_once(
    completed_learner, course, media_root, django_capture_on_commit_callbacks
):
    certificate = issued(completed_learner, course)
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_at=timezone.localdate() + timedelta(days=10)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_certificate_expiry_reminders")
        call_command("send_certificate_expiry_reminders")
        jobs.send_expiry_reminders.enqueue()  # the worker's daily run finds nothing new
    assert len(mail.outbox) == 1 and "expires on" in mail.outbox[0].subject


def test_no_reminder_for_distant_or_revoked_certificates(
    completed_learner, course, make_user, media_root
):
    certificate = issued(completed_learner, course)
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_at=timezone.localdate() + timedelta(days=45)
    )
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_certificate_expiry_reminders")
    assert mail.outbox == []
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_at=timezone.localdate() + timedelta(days=5),
        status=CertificateStatus.REVOKED,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_certificate_expiry_reminders")
    assert mail.outbox == []


def test_validity_period_sets_the_expiry(completed_learner, course, media_root):
    course.certificate_validity_months = 24
    course.save_revision().publish()
    certificate = issued(completed_learner, course)
    today = timezone.localdate()
    assert certificate.expires_at.year == today.year + 2


# --- Evaluation report and bulk issue ----------------------------------------------------


def test_evaluation_report_means_and_csv(
    client, completed_learner, course, make_user, media_root
):
    services.evaluation_submit(
        user=completed_learner,
        course=course,
        answers=evaluation_answers(course, rating="4"),
    )
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    form = course.evaluation_form
    html = client.get(
        reverse("evaluation_forms:report", args=[form.pk])
    ).content.decode()
    assert "1 response" in html and "4.0" in html and "More careful screening." in html
    csv_body = client.get(
        reverse("evaluation_forms:report", args=[form.pk]), {"export": "csv"}
    ).content.decode()
    assert "The instructors were effective." in csv_body.splitlines()[0]
    assert completed_learner.email not in csv_body


def test_bulk_issue_queues_one_task_per_learner_and_reports_progress(
    client,
    course,
    post_test,
    make_user,
    complete_profile,
    media_root,
    django_capture_on_commit_callbacks,
):
    from tests.assessments.conftest import correct_answers

    learners = []
    for index in range(3):
        user = make_user(f"bulk{index}")
        complete_profile(user)
        course_services.enrolment_grant(
            user=user, course=course, actor=None, reason="t"
        )
        for module in course.modules:
            course_services.progress_record_visit(user=user, module=module)
        attempt = attempt_services.attempt_start(user=user, quiz=post_test)
        attempt_services.attempt_submit(
            attempt=attempt, answers=correct_answers(attempt)
        )
        EvaluationResponse.objects.create(user=user, course=course, answers=[])
        learners.append(user)
    # Evaluations stored without the service: nobody has a certificate yet.
    assert not Certificate.objects.exists()
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("certificate_records:bulk")
    assert (
        "3 eligible learners" in client.get(url, {"course": course.pk}).content.decode()
    )
    # Without the confirmation, nothing is issued: the confirmation page is shown.
    confirm = client.post(url, {"course": course.pk})
    assert confirm.status_code == 200 and "Bulk2 Example" in confirm.content.decode()
    assert not Certificate.objects.exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"course": course.pk, "confirmed": "yes"})
    bulk_issue = BulkIssue.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "certificate_records:bulk_progress", args=[bulk_issue.pk]
    )
    items = list(bulk_issue.items.all())
    assert len(items) == 3 and all(item.task_result_id for item in items)

    progress = client.get(response["Location"], HTTP_ACCEPT="application/json")
    assert progress.json() == {
        "total": 3,
        "done": 3,
        "pending": 0,
        "issued": 3,
        "already_issued": 0,
        "not_eligible": 0,
        "failed": 0,
        "finished": True,
    }
    assert Certificate.objects.count() == 3 == CertificateDocument.objects.count()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in learners)
    assert "3 of 3 learners handled: 3 issued" in (
        client.get(response["Location"]).content.decode()
    )

    # Running a learner's task again (a retry) issues, renders and emails nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        again = jobs.issue_for_bulk.enqueue(items[0].pk)
    assert again.return_value["outcome"] == "already_issued"
    assert Certificate.objects.count() == 3 == CertificateDocument.objects.count()
    assert len(mail.outbox) == 3
    assert (
        "0 eligible learners" in client.get(url, {"course": course.pk}).content.decode()
    )


def test_admin_revokes_through_the_screen(
    client, completed_learner, course, make_user, catalogue, media_root
):
    from courses.roles import CERTIFICATE_ADMINISTRATORS, ensure_roles

    certificate = issued(completed_learner, course)
    admin = make_user("records", is_staff=True)
    admin.groups.add(ensure_roles()[CERTIFICATE_ADMINISTRATORS])
    client.force_login(admin)
    index = client.get(reverse("certificate_records:index")).content.decode()
    assert certificate.code in index
    url = reverse("certificate_records:manage", args=[certificate.pk])
    assert client.post(url, {"action": "revoke", "reason": ""}).status_code == 400
    data = {"action": "revoke", "reason": "Issued in error"}
    assert "Yes, revoke the certificate" in client.post(url, data).content.decode()
    assert Certificate.objects.get().status == CertificateStatus.VALID
    assert client.post(url, {**data, "confirmed": "yes"}).status_code == 302
    assert Certificate.objects.get().status == CertificateStatus.REVOKED
    export = client.get(reverse("certificate_records:index"), {"export": "csv"})
    assert certificate.code in b"".join(export.streaming_content).decode()


def test_manual_issue_screen(
    client, enrolled_learner, course, make_user, catalogue, media_root
):
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("certificate_records:add")
    response = client.post(
        url, {"user": enrolled_learner.pk, "course": course.pk, "override_reason": ""}
    )
    assert (
        response.status_code == 400 and "override reason" in response.content.decode()
    )
    response = client.post(
        url,
        {
            "user": enrolled_learner.pk,
            "course": course.pk,
            "override_reason": "Equivalent live training",
        },
    )
    assert response.status_code == 302
    assert Certificate.objects.get().override_reason == "Equivalent live training"


def test_evaluation_is_not_open_before_completion(
    client, enrolled_learner, post_test, course
):
    client.force_login(enrolled_learner)
    response = client.get(reverse("assessments:evaluation", args=[course.pk]))
    assert response.status_code == 302 and response["Location"] == course.url


def test_plain_client_cannot_post_evaluation_for_a_course_they_are_not_in(
    client, learner, course
):
    client.force_login(learner)
    assert (
        client.get(reverse("assessments:evaluation", args=[course.pk])).status_code
        == 404
    )
    assert (
        Client().get(reverse("assessments:evaluation", args=[course.pk])).status_code
        == 302
    )
