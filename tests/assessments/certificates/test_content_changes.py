"""A module added after a learner completed leaves their certificate standing."""

import pytest

from assessments.certificates import services as certificate_services
from assessments.certificates.selectors import certificate_eligibility
from assessments.models import Certificate, CertificateStatus
from courses.models import EnrolmentEvent
from tests.assessments.conftest import evaluation_answers
from tests.courses.test_content_changes import add_module, fresh

pytestmark = pytest.mark.django_db


def test_a_certificate_stays_valid_and_eligibility_holds_for_completers(
    completed_learner, course, media_root
):
    certificate_services.evaluation_submit(
        user=completed_learner, course=course, answers=evaluation_answers(course)
    )
    certificate = Certificate.objects.get(user=completed_learner)
    assert EnrolmentEvent.objects.filter(to_status="completed").exists()
    add_module(course)
    assert certificate_eligibility(completed_learner, fresh(course))["eligible"]
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
