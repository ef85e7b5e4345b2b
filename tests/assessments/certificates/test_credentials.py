"""Open Badges 3.0: signed credentials verify with only the issuer's published key."""

import base64
import json
import stat
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from urllib.parse import urlsplit

import jwt
import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from assessments.certificates import credentials
from assessments.models import Certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def issuer_key(settings, tmp_path):
    path = tmp_path / "keys" / "issuer.pem"
    path.parent.mkdir()
    path.write_text(credentials.generate_signing_key_pem())
    settings.ASSESSMENTS_OB3_SIGNING_KEY = ""
    settings.ASSESSMENTS_OB3_SIGNING_KEY_FILE = str(path)
    return path


@pytest.fixture
def no_issuer_key(settings, tmp_path):
    settings.ASSESSMENTS_OB3_SIGNING_KEY = ""
    settings.ASSESSMENTS_OB3_SIGNING_KEY_FILE = str(tmp_path / "missing.pem")


@pytest.fixture
def certificate(learner, course):
    return Certificate.objects.create(
        user=learner,
        course=course,
        learner_name="Learner Example",
        profession="psychologist",
        licence_number="PSY-123456",
        licence_jurisdiction="Colorado",
        course_title=course.title,
        completion_date=date(2025, 3, 14),
        ce_hours=Decimal("12.50"),
        credit_type="Continuing education (homestudy)",
        delivery_format="Online, self-paced",
        accreditation_statement="Approved for 12.5 CE hours.",
        provider_name="Test Provider",
        pdf="",
    )


def fetch_token(client, certificate) -> str:
    response = client.get(
        reverse("assessments:credential_jwt", args=[certificate.code])
    )
    assert response.status_code == 200
    return response.content.decode("ascii")


def dereference_key(client, token: str) -> dict:
    """What an outside verifier does: follow the header kid to the issuer profile."""
    kid = credentials.key_reference(token)
    issuer_url, _, thumbprint = kid.partition("#")
    response = client.get(urlsplit(issuer_url).path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    profile = response.json()
    [method] = [m for m in profile["verificationMethod"] if m["id"] == kid]
    assert method["publicKeyJwk"]["kid"] == thumbprint
    assert credentials.jwk_from_profile(profile, kid) == method["publicKeyJwk"]
    return method["publicKeyJwk"]


def segments(token: str) -> list[str]:
    return token.split(".")


def decode_segment(segment: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def encode_segment(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# --- Issuer profile -------------------------------------------------------------------


def test_issuer_profile_publishes_the_public_jwk(client, issuer_key):
    response = client.get(reverse("certificates:issuer"))

    assert response.status_code == 200
    profile = response.json()
    assert profile["id"] == "http://testserver/certificates/issuer/"
    assert profile["type"] == ["Profile"]
    assert profile["url"] == "http://testserver"
    assert profile["@context"] == credentials.CONTEXT
    [jwk] = profile["jwks"]["keys"]
    assert jwk == profile["verificationMethod"][0]["publicKeyJwk"]
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and jwk["alg"] == "EdDSA"
    assert jwk["use"] == "sig"
    assert "d" not in jwk
    assert jwk["kid"] == credentials.public_jwk()["kid"]  # stable for the same key
    assert profile["assertionMethod"] == [f"{profile['id']}#{jwk['kid']}"]


def test_issuer_profile_is_404_json_without_a_key(client, no_issuer_key):
    response = client.get(reverse("certificates:issuer"))

    assert response.status_code == 404
    assert response.json()["error"] == "not_configured"


def test_key_can_come_from_pem_text_in_settings(settings, issuer_key):
    pem = issuer_key.read_text()
    expected = credentials.public_jwk()["kid"]
    settings.ASSESSMENTS_OB3_SIGNING_KEY_FILE = ""
    settings.ASSESSMENTS_OB3_SIGNING_KEY = pem.replace("\n", "\\n")  # one-line env var

    assert credentials.is_configured()
    assert credentials.public_jwk()["kid"] == expected


# --- Signed credential ----------------------------------------------------------------


def test_owner_credential_verifies_with_only_the_published_jwk(
    client, learner, certificate, issuer_key
):
    client.force_login(learner)
    token = fetch_token(client, certificate)
    client.logout()  # the verifier is an anonymous outsider

    jwk = dereference_key(client, token)
    claims = credentials.verify_credential(token, jwk)

    assert decode_segment(segments(token)[0]) == {
        "alg": "EdDSA",
        "kid": f"http://testserver/certificates/issuer/#{jwk['kid']}",
        "typ": "JWT",
    }
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["@context"] == credentials.CONTEXT
    verify_url = f"http://testserver/certificates/verify/{certificate.code}/"
    assert claims["id"] == claims["jti"] == verify_url
    assert (
        claims["issuer"]["id"]
        == claims["iss"]
        == "http://testserver/certificates/issuer/"
    )
    assert claims["issuer"]["name"] == "Test Provider"
    subject = claims["credentialSubject"]
    assert subject["id"] == claims["sub"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["creditsEarned"] == float(certificate.ce_hours) == 12.5
    assert subject["licenseNumber"] == "PSY-123456"
    assert subject["identifier"][0]["identityHash"] == "Learner Example"
    assert subject["activityEndDate"] == "2025-03-14T00:00:00Z"
    achievement = subject["achievement"]
    assert achievement["name"] == certificate.course_title == "Foundations of KAP"
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "Course"
    assert achievement["id"] == f"http://testserver{certificate.course.url}#achievement"
    assert achievement["creditsAvailable"] == 12.5
    assert "75% or higher" in achievement["criteria"]["narrative"]
    issued = certificate.issued_at.astimezone(UTC)
    assert claims["validFrom"] == issued.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert claims["nbf"] == int(issued.replace(microsecond=0).timestamp())
    assert claims["credentialStatus"] == {
        "id": f"http://testserver/certificates/status/{certificate.code}/",
        "type": "1EdTechRevocationList",
    }
    assert "validUntil" not in claims and "exp" not in claims
    assert "vc" not in claims  # VCDM 2.0: the credential is the payload


def test_download_is_an_attachment(client, learner, certificate, issuer_key):
    client.force_login(learner)
    response = client.get(
        reverse("assessments:credential_jwt", args=[certificate.code])
    )

    assert response["Content-Type"] == "application/jwt"
    assert response["Content-Disposition"] == (
        f'attachment; filename="credential-{certificate.code}.jwt"'
    )
    assert "no-store" in response["Cache-Control"]


def test_credential_json_is_the_unsigned_credential(
    client, learner, certificate, issuer_key
):
    client.force_login(learner)
    response = client.get(
        reverse("assessments:credential_json", args=[certificate.code])
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert b'\n  "' in response.content  # pretty-printed for people
    credential = response.json()
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["credentialSubject"]["licenseNumber"] == "PSY-123456"
    assert "iss" not in credential and "proof" not in credential


def test_tampered_payload_character_is_rejected(
    client, learner, certificate, issuer_key
):
    client.force_login(learner)
    token = fetch_token(client, certificate)
    jwk = credentials.public_jwk()
    header, payload, signature = segments(token)
    index = len(payload) // 2
    swapped = "A" if payload[index] != "A" else "B"
    tampered = ".".join(
        [header, payload[:index] + swapped + payload[index + 1 :], signature]
    )

    with pytest.raises(credentials.InvalidCredential):
        credentials.verify_credential(tampered, jwk)


def test_reencoded_payload_with_original_signature_is_rejected(
    client, learner, certificate, issuer_key
):
    client.force_login(learner)
    token = fetch_token(client, certificate)
    jwk = credentials.public_jwk()
    header, payload, signature = segments(token)
    claims = decode_segment(payload)
    claims["credentialSubject"]["creditsEarned"] = 40.0
    forged = ".".join([header, encode_segment(claims), signature])

    with pytest.raises(credentials.InvalidCredential, match="[Ss]ignature"):
        credentials.verify_credential(forged, jwk)


def test_token_signed_by_another_key_is_rejected(certificate, issuer_key):
    credential = credentials.build_credential(certificate, base_url="http://testserver")
    other_key = credentials.load_signing_key(credentials.generate_signing_key_pem())
    forged = credentials.sign_credential(credential, key=other_key)

    assert credentials.verify_credential(forged, credentials.public_jwk(other_key))
    with pytest.raises(credentials.InvalidCredential):
        credentials.verify_credential(forged, credentials.public_jwk())


def test_claims_must_match_the_credential(certificate, issuer_key):
    credential = credentials.build_credential(certificate, base_url="http://testserver")
    key = credentials.signing_key()
    token = credentials.sign_credential(credential, key=key)
    # Same key, but a payload whose iss disagrees with issuer.id: OB 3.0 says invalid.
    claims = decode_segment(segments(token)[1])
    claims["iss"] = "https://elsewhere.example/issuer/"
    mismatched = jwt.encode(claims, key, algorithm="EdDSA")

    with pytest.raises(credentials.InvalidCredential, match="iss"):
        credentials.verify_credential(mismatched, credentials.public_jwk())


def test_private_jwk_is_refused(certificate, issuer_key):
    token = credentials.sign_credential(
        credentials.build_credential(certificate, base_url="http://testserver")
    )
    private = {**credentials.public_jwk(), "d": "AAAA"}

    with pytest.raises(credentials.InvalidCredential):
        credentials.verify_credential(token, private)


def test_valid_until_only_when_the_certificate_expires(
    client, learner, certificate, issuer_key
):
    client.force_login(learner)
    jwk = credentials.public_jwk()
    claims = credentials.verify_credential(fetch_token(client, certificate), jwk)
    assert "validUntil" not in claims
    assert "exp" not in claims

    expires = timezone.localdate() + timedelta(days=365)
    Certificate.objects.filter(pk=certificate.pk).update(expires_at=expires)
    certificate.refresh_from_db()
    claims = credentials.verify_credential(fetch_token(client, certificate), jwk)

    assert claims["validUntil"] == f"{expires.isoformat()}T23:59:59Z"
    assert claims["exp"] == int(
        datetime(
            expires.year, expires.month, expires.day, 23, 59, 59, tzinfo=UTC
        ).timestamp()
    )


def test_expired_credential_fails_date_checks_but_not_the_signature(
    certificate, issuer_key
):
    Certificate.objects.filter(pk=certificate.pk).update(expires_at=date(2020, 1, 1))
    certificate.refresh_from_db()
    token = credentials.sign_credential(
        credentials.build_credential(certificate, base_url="http://testserver")
    )
    jwk = credentials.public_jwk()

    with pytest.raises(credentials.InvalidCredential, match="expired"):
        credentials.verify_credential(token, jwk)
    assert credentials.verify_credential(token, jwk, check_dates=False)["exp"]


# --- Status ---------------------------------------------------------------------------


def test_status_reports_valid_then_revoked(client, certificate):
    url = reverse("certificates:status", args=[certificate.code])

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["id"] == f"http://testserver{url}"
    assert body["revoked"] is False
    assert body["revokedAt"] is None
    assert body["status"] == "valid"
    assert body["revokedCredentials"] == []

    revoked_at = timezone.now()
    Certificate.objects.filter(pk=certificate.pk).update(
        status="revoked", revoked_at=revoked_at
    )

    body = client.get(url).json()
    assert body["revoked"] is True
    assert body["status"] == "revoked"
    assert body["revokedAt"] == revoked_at.isoformat()
    assert body["revokedCredentials"] == [
        {
            "id": f"http://testserver/certificates/verify/{certificate.code}/",
            "revoked": True,
        }
    ]


def test_status_of_unknown_code_is_404_json(client):
    response = client.get(reverse("certificates:status", args=["NOSUCHCODE"]))

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_a_revoked_certificate_gets_no_new_credential_and_its_old_one_reads_revoked(
    client, learner, certificate, issuer_key
):
    client.force_login(learner)
    token_from_before = fetch_token(client, certificate)
    Certificate.objects.filter(pk=certificate.pk).update(
        status="revoked", revoked_at=timezone.now()
    )

    for name in ("assessments:credential_jwt", "assessments:credential_json"):
        response = client.get(reverse(name, args=[certificate.code]))
        assert response.status_code == 410
        assert "revoked" in response.content.decode()
    claims = credentials.verify_credential(token_from_before, credentials.public_jwk())
    status = client.get(urlsplit(claims["credentialStatus"]["id"]).path).json()
    assert status["revoked"] is True


# --- Access ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["assessments:credential_jwt", "assessments:credential_json"]
)
def test_another_user_gets_404(client, make_user, certificate, issuer_key, name):
    client.force_login(make_user("someone-else"))

    assert client.get(reverse(name, args=[certificate.code])).status_code == 404


@pytest.mark.parametrize(
    "name", ["assessments:credential_jwt", "assessments:credential_json"]
)
def test_staff_without_view_permission_gets_404(
    client, make_user, certificate, issuer_key, name
):
    client.force_login(make_user("staffer", is_staff=True))

    assert client.get(reverse(name, args=[certificate.code])).status_code == 404


@pytest.mark.parametrize(
    "name", ["assessments:credential_jwt", "assessments:credential_json"]
)
def test_staff_with_view_permission_may_download(
    client, make_user, certificate, issuer_key, name
):
    staff = make_user("registrar", is_staff=True)
    staff.user_permissions.add(
        Permission.objects.get(
            codename="view_certificate", content_type__app_label="assessments"
        )
    )
    client.force_login(staff)

    assert client.get(reverse(name, args=[certificate.code])).status_code == 200


@pytest.mark.parametrize(
    "name", ["assessments:credential_jwt", "assessments:credential_json"]
)
def test_anonymous_is_sent_to_login(client, certificate, issuer_key, name):
    url = reverse(name, args=[certificate.code])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url("account_login"))


@pytest.mark.parametrize(
    "name", ["assessments:credential_jwt", "assessments:credential_json"]
)
def test_without_a_key_downloads_explain_503(
    client, learner, certificate, no_issuer_key, name
):
    client.force_login(learner)

    response = client.get(reverse(name, args=[certificate.code]))

    assert response.status_code == 503
    assert "not set up" in response.content.decode()


# --- generate_issuer_key --------------------------------------------------------------


def run_command(**options) -> str:
    out = StringIO()
    call_command("generate_issuer_key", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def test_generate_issuer_key_writes_a_private_file_once(settings, tmp_path):
    path = tmp_path / "new-dir" / "issuer.pem"
    settings.ASSESSMENTS_OB3_SIGNING_KEY = ""
    settings.ASSESSMENTS_OB3_SIGNING_KEY_FILE = str(path)

    out = run_command()

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    kid = credentials.public_jwk()["kid"]
    assert f"kid: {kid}" in out
    original = path.read_text()
    assert original.startswith("-----BEGIN PRIVATE KEY-----")

    out = run_command()

    assert "already exists" in out
    assert path.read_text() == original

    run_command(force=True)

    assert path.read_text() != original
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert credentials.public_jwk()["kid"] != kid


def test_generate_issuer_key_honours_path(settings, tmp_path):
    settings.ASSESSMENTS_OB3_SIGNING_KEY_FILE = str(tmp_path / "unused.pem")
    target = tmp_path / "elsewhere.pem"

    run_command(path=str(target))

    assert target.exists()
    assert not (tmp_path / "unused.pem").exists()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_kid_is_the_rfc7638_thumbprint():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    # RFC 8037 appendix A.1 key; A.3 gives its RFC 7638 thumbprint.
    d = base64.urlsafe_b64decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=")
    jwk = credentials.public_jwk(Ed25519PrivateKey.from_private_bytes(d))

    assert jwk["x"] == "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    assert jwk["kid"] == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
