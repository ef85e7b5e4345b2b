"""PDF rendering. The only module that knows which PDF library the project uses."""

import base64
import io
from pathlib import Path

import qrcode
from django.template.loader import render_to_string
from django.urls import reverse

from courses.emails import absolute_url

from .. import conf


def verification_url(certificate) -> str:
    return absolute_url(reverse("certificates:verify", args=[certificate.code]))


def qr_code_data_uri(text: str) -> str:
    image = qrcode.make(text, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _signature_data_uri() -> str:
    path = conf.certificate_signature_image()
    if not path or not Path(path).is_file():
        return ""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode()


def html_to_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which only PDF work needs.
    from weasyprint import HTML

    return HTML(string=html, base_url=str(Path(__file__).parent)).write_pdf()


def render_certificate_pdf(certificate, *, revoked: bool = False) -> bytes:
    """The certificate as issued; with `revoked`, the same page marked REVOKED across it,
    so a copy of a withdrawn certificate can never pass for a valid one."""
    url = verification_url(certificate)
    html = render_to_string(
        conf.certificate_template(),
        {
            "certificate": certificate,
            "revoked": revoked,
            "verification_url": url,
            "qr_code": qr_code_data_uri(url),
            "signature": _signature_data_uri(),
            "signatory": conf.certificate_signatory(),
            "provider_address": conf.provider_address(),
        },
    )
    return html_to_pdf(html)


def render_transcript_pdf(*, user, transcript: dict, learner_name: str) -> bytes:
    html = render_to_string(
        "assessments/certificates/transcript_pdf.html",
        {"transcript": transcript, "learner_name": learner_name, "user": user},
    )
    return html_to_pdf(html)
