"""Open Badges 3.0 endpoints.

Public: the issuer profile (with the public key verifiers need) and each credential's
revocation status. Private: a learner's own signed credential (VC-JWT download) and its
unsigned JSON for reading. Another learner's code is a 404, never a 403, so codes cannot
be probed through these views.
"""

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from courses.emails import absolute_url

from .. import conf
from . import credentials
from .models import Certificate, CertificateStatus
from .verification import lookups_throttled, normalise_code

NOT_CONFIGURED = (
    "Digital credentials (Open Badges 3.0) are not set up on this site yet, so there is "
    "no signed credential to download. Your certificate itself is unaffected: its PDF and "
    "public verification page remain valid. Please contact the course provider if you "
    "need a digital credential."
)


def _base_url(request) -> str:
    # The configured public address, not the request's Host header: ids inside signed
    # credentials must be the same however the site was reached.
    return absolute_url("")


def _public_json(data: dict, *, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"indent": 2})
    # Verifiers and web wallets fetch these from other origins.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
@cache_control(public=True, max_age=300)
def issuer_profile(request):
    if not credentials.is_configured():
        return _public_json(
            {
                "error": "not_configured",
                "detail": "This site has no Open Badges issuer key configured.",
            },
            status=404,
        )
    return _public_json(credentials.issuer_profile(_base_url(request)))


@require_safe
@never_cache
def credential_status(request, code: str):
    # Throttled like the verification page: otherwise this answers "does this code
    # exist?" at any rate.
    if lookups_throttled(request):
        response = _public_json(
            {
                "error": "rate_limited",
                "detail": "Too many look-ups from your address. Please wait a minute.",
            },
            status=429,
        )
        response["Retry-After"] = str(conf.verification_rate_limit()[1])
        return response
    code = normalise_code(code)
    certificate = (
        Certificate.objects.filter(code=code)
        .only("code", "status", "revoked_at", "expires_at")
        .first()
        if code
        else None
    )
    if certificate is None:
        return _public_json(
            {"error": "not_found", "detail": "No credential has this code."}, status=404
        )
    base = _base_url(request)
    revoked = certificate.status == CertificateStatus.REVOKED
    credential_id = credentials.credential_id(base, certificate.code)
    return _public_json(
        {
            "id": credentials.status_url(base, certificate.code),
            "credential": credential_id,
            "revoked": revoked,
            "revokedAt": certificate.revoked_at.isoformat()
            if revoked and certificate.revoked_at
            else None,
            "status": certificate.public_status,
            # The same answer in the shape of a 1EdTech Revocation List, for verifiers
            # that follow credentialStatus.type "1EdTechRevocationList".
            "issuer": credentials.issuer_id(base),
            "revokedCredentials": [{"id": credential_id, "revoked": True}]
            if revoked
            else [],
        }
    )


def _own_certificate(request, code: str) -> Certificate:
    certificates = Certificate.objects.select_related("course")
    user = request.user
    if user.is_staff and user.has_perm("assessments.view_certificate"):
        return get_object_or_404(certificates, code=code)
    return get_object_or_404(certificates, code=code, user=user)


REVOKED = (
    "This certificate has been revoked, so no credential is issued for it. "
    "Its verification page and status list say so."
)


def _revoked() -> HttpResponse:
    # A signed credential outlives its download: never sign a fresh one for a revoked
    # certificate, even though verifiers would also find it on the status list.
    return HttpResponse(REVOKED, status=410, content_type="text/plain; charset=utf-8")


def _not_configured() -> HttpResponse:
    response = HttpResponse(
        NOT_CONFIGURED, status=503, content_type="text/plain; charset=utf-8"
    )
    response["Retry-After"] = "86400"
    return response


@login_required
@require_safe
@never_cache
def credential_jwt(request, code: str):
    certificate = _own_certificate(request, code)
    if certificate.status == CertificateStatus.REVOKED:
        return _revoked()
    if not credentials.is_configured():
        return _not_configured()
    credential = credentials.build_credential(certificate, base_url=_base_url(request))
    response = HttpResponse(
        credentials.sign_credential(credential), content_type="application/jwt"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="credential-{certificate.code}.jwt"'
    )
    return response


@login_required
@require_safe
@never_cache
def credential_json(request, code: str):
    certificate = _own_certificate(request, code)
    if certificate.status == CertificateStatus.REVOKED:
        return _revoked()
    if not credentials.is_configured():
        return _not_configured()
    credential = credentials.build_credential(certificate, base_url=_base_url(request))
    response = HttpResponse(
        json.dumps(credential, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'inline; filename="credential-{certificate.code}.json"'
    )
    return response
