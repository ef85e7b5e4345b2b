"""Background work that services queue after they commit: the certificate PDF.

Rendering takes a second or more of CPU (WeasyPrint), so issue and reissue commit the
certificate and queue `render_certificate_document`; the learner's "issued" email goes out
once the PDF exists. The task is idempotent: a document per (certificate, version) is
stored once (a unique constraint backs the check), and the email has its own key.
"""

from django.core.files.base import ContentFile
from django.db import transaction
from django_tasks import task

from courses import conf as course_conf
from courses.tasks import enqueue_on_commit

from . import documents, emails
from .models import (
    FROZEN_FIELDS,
    Certificate,
    CertificateDocument,
    CertificateStatus,
)


def queue_certificate_document(certificate: Certificate) -> None:
    enqueue_on_commit(render_certificate_document, certificate.pk, certificate.version)


@task(backend=course_conf.task_backend())
def render_certificate_document(certificate_id: int, version: int) -> dict:
    """Render this version's PDF once and keep it beside every earlier version; after a
    first issue, email the learner (once the PDF exists, so the link in it works)."""
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None or certificate.version != version:
        return {"status": "superseded"}  # a reissue queued its own render
    status = "already rendered"
    if not _has_document(certificate_id, version):
        # Rendered outside any lock: it is the slow part and reads only frozen fields.
        status = _store(
            certificate_id, version, documents.render_certificate_pdf(certificate)
        )
        if status == "superseded":
            return {"status": status}
    if version == 1 and certificate.status != CertificateStatus.REVOKED:
        emails.send_certificate_issued(certificate)
    return {"status": status, "code": certificate.code, "version": version}


def _has_document(certificate_id: int, version: int) -> bool:
    return CertificateDocument.objects.filter(
        certificate_id=certificate_id, version=version
    ).exists()


def _store(certificate_id: int, version: int, pdf_bytes: bytes) -> str:
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
        if certificate.version != version:
            return "superseded"
        if _has_document(certificate_id, version):
            return "already rendered"  # another worker finished first
        document = CertificateDocument(
            certificate=certificate,
            version=version,
            frozen={field: str(getattr(certificate, field)) for field in FROZEN_FIELDS},
        )
        document.pdf.save(
            f"{certificate.code}-v{version}.pdf", ContentFile(pdf_bytes), save=False
        )
        document.save()
        Certificate.objects.filter(pk=certificate_id).update(pdf=document.pdf.name)
    return "rendered"
