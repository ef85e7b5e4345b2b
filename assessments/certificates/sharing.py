"""Links a learner shares: the public verification page, the readable badge page and
LinkedIn's add-to-profile form.

Every link is built from the configured base URL (`WAGTAILADMIN_BASE_URL`, set from
`SITE_BASE_URL`), never from the request's Host header: a link copied from a page reached
through a proxy, a preview host or 127.0.0.1 must still work for whoever receives it.
"""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from courses.emails import absolute_url

from .documents import verification_url

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def badge_url(certificate) -> str:
    return absolute_url(reverse("certificates:badge", args=[certificate.code]))


def linkedin_add_to_profile_url(certificate) -> str:
    """LinkedIn's "Add license or certification" form, filled in from the certificate."""
    issued = timezone.localdate(certificate.issued_at)
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": certificate.course_title,
        "organizationName": certificate.provider_name,
        "issueYear": issued.year,
        "issueMonth": issued.month,
        "certUrl": verification_url(certificate),
        "certId": certificate.code,
    }
    if certificate.expires_at:
        params["expirationYear"] = certificate.expires_at.year
        params["expirationMonth"] = certificate.expires_at.month
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(params)}"


def share_links(certificate) -> dict:
    return {
        "url": verification_url(certificate),
        "badge_url": badge_url(certificate),
        "linkedin_url": linkedin_add_to_profile_url(certificate),
    }
