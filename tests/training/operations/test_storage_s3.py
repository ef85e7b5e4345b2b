"""Media, documents and certificate PDFs in an S3-compatible bucket.

moto's server mode plays S3 on loopback; the application reaches it through django-storages
and the real boto3 client, exactly as it would reach AWS or MinIO.
"""

import http.client
import io
import socket
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage, storages
from django.urls import reverse
from moto.server import ThreadedMotoServer
from PIL import Image as PILImage
from wagtail.documents.models import Document
from wagtail.images.models import Image

from courses import services as course_services
from tests.assessments.certificates.test_certificates import issued

BUCKET = "kap-test-media"
pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def s3_client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )


def s3_storages(endpoint) -> dict:
    """What training/settings/production.py builds from AWS_STORAGE_BUCKET_NAME."""
    common = {
        "bucket_name": BUCKET,
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "access_key": "test-key",
        "secret_key": "test-secret",
        "signature_version": "s3v4",
        "file_overwrite": False,
        "default_acl": None,
    }
    return {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **common,
                "location": "private",
                "querystring_auth": True,
                "querystring_expire": 3600,
            },
        },
        "public": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**common, "location": "public", "querystring_auth": False},
        },
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture
def s3(settings, s3_endpoint):
    client = s3_client(s3_endpoint)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = s3_storages(s3_endpoint)
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def anonymous_get(url: str) -> int:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
    status = connection.getresponse().status
    connection.close()
    return status


def keys(client, prefix="") -> list[str]:
    found = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    return [item["Key"] for item in found]


def test_certificate_pdfs_are_private_objects_served_through_the_view(
    s3, s3_endpoint, client, completed_learner, course, make_user
):
    certificate = issued(completed_learner, course)
    key = f"private/{certificate.pdf.name}"
    assert keys(s3, "private/certificates/") == [key]
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().startswith(b"%PDF")
    # Nobody reaches the object without credentials ...
    assert anonymous_get(f"{s3_endpoint}/{BUCKET}/{key}") == 403
    # ... only through the access-checked view.
    url = reverse("assessments:certificate_pdf", args=[certificate.code])
    client.force_login(completed_learner)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(make_user("stranger"))
    assert client.get(url).status_code == 404


def test_private_urls_are_signed_and_short_lived_public_ones_are_plain(s3):
    name = default_storage.save("notes/secret.txt", ContentFile(b"gated"))
    signed = default_storage.url(name)
    query = parse_qs(urlsplit(signed).query)
    assert urlsplit(signed).path.endswith(f"/{BUCKET}/private/{name}")
    assert query["X-Amz-Expires"] == ["3600"] and "X-Amz-Signature" in query
    assert anonymous_get(signed) == 200
    assert anonymous_get(signed.split("?")[0]) == 403  # not without the signature

    public = storages["public"]
    public_name = public.save("course-cards/hero.txt", ContentFile(b"open"))
    assert keys(s3, "public/") == [f"public/{public_name}"]
    assert "X-Amz-Signature" not in public.url(public_name)


def test_module_documents_and_images_in_the_bucket_stay_gated(
    s3, client, course, make_user
):
    document = Document.objects.create(
        title="Intake form", file=ContentFile(b"%PDF-1.4 intake", name="intake.pdf")
    )
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 32), "teal").save(buffer, "PNG")
    image = Image.objects.create(
        title="Diagram",
        file=ImageFile(io.BytesIO(buffer.getvalue()), name="diagram.png"),
    )
    module = course.modules[0]
    module.body = [
        {
            "type": "rich_text",
            "value": f'<p>The <a linktype="document" id="{document.pk}">form</a>.</p>',
        },
        {
            "type": "image",
            "value": {"image": image.pk, "alt_text": "Diagram", "caption": ""},
        },
    ]
    module.save_revision().publish()
    assert f"private/{document.file.name}" in keys(s3, "private/documents/")
    image_url = reverse("courses:module_image", args=[image.pk, "max-960x720"])
    assert client.get(document.url).status_code == 404
    assert client.get(image_url).status_code == 404

    learner = make_user("reader")
    course_services.enrolment_grant(
        user=learner, course=course, actor=None, reason="test"
    )
    client.force_login(learner)
    response = client.get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 intake"
    response = client.get(image_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert keys(s3, "private/images/")  # the rendition went to the bucket too


def test_readyz_is_503_when_the_bucket_is_unreachable(client, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.STORAGES = s3_storages(f"http://127.0.0.1:{port}")
    settings.AWS_S3_MAX_RETRY_ATTEMPTS = 0
    response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False
