"""The professional profile: licensed clinicians, pre-licensed trainees, other professions."""

import pytest
from django.urls import reverse

from courses.models import LearnerProfile, LicensureStatus

pytestmark = pytest.mark.django_db

LICENSED = {
    "legal_name": "Dana M. Reyes",
    "licensure_status": "licensed",
    "profession": "lcsw",
    "licence_number": "LCSW-77",
    "licence_jurisdiction": "Oregon",
    "licence_in_good_standing": "on",
}
PRE_LICENSED = {
    "legal_name": "Sam Trainee",
    "licensure_status": "pre_licensed",
    "profession": "lpc",
    "supervisor_name": "Dr. Ana Ortiz, LPC-S",
    "training_program": "MA Clinical Mental Health Counseling, Lewis University",
}


def post_profile(client, user, data):
    client.force_login(user)
    return client.post(reverse("courses:profile"), data)


def test_a_pre_licensed_trainee_completes_the_profile_without_a_license(
    client, make_user, course
):
    user = make_user("trainee")
    response = post_profile(client, user, {**PRE_LICENSED, "next": course.url})
    assert response.status_code == 302 and response["Location"] == course.url
    profile = LearnerProfile.objects.get(user=user)
    assert profile.licensure_status == LicensureStatus.PRE_LICENSED
    assert profile.is_complete and profile.licence_number == ""
    assert profile.licensure_summary == (
        "Pre-licensed trainee, supervised by Dr. Ana Ortiz, LPC-S "
        "(MA Clinical Mental Health Counseling, Lewis University)"
    )
    # The CE course no longer sends them back to the profile: checkout is next.
    assert client.get(course.url).context["profile_needed"] is False


def test_a_pre_licensed_trainee_must_name_a_supervisor_and_program(client, make_user):
    data = {**PRE_LICENSED, "supervisor_name": "", "training_program": " "}
    response = post_profile(client, make_user("trainee"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter your clinical supervisor&#x27;s name." in html
    assert "Enter your training program." in html
    assert not LearnerProfile.objects.exists()


def test_switching_paths_clears_the_other_paths_details(client, make_user):
    user = make_user("switcher")
    post_profile(client, user, {**LICENSED, "supervisor_name": "Left over"})
    profile = LearnerProfile.objects.get(user=user)
    assert profile.supervisor_name == "" and profile.licence_number == "LCSW-77"

    post_profile(client, user, {**PRE_LICENSED, "licence_number": "LCSW-77"})
    profile.refresh_from_db()
    assert profile.licence_number == "" and not profile.licence_in_good_standing
    assert profile.supervisor_name == "Dr. Ana Ortiz, LPC-S"


def test_a_licensed_clinician_still_needs_license_and_good_standing(client, make_user):
    data = {**LICENSED, "licence_number": ""}
    data.pop("licence_in_good_standing")
    response = post_profile(client, make_user("clinician"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter your license number." in html
    assert "Please confirm that your license is in good standing." in html


def test_other_profession_asks_to_specify_and_is_what_certificates_print(
    client, make_user
):
    user = make_user("art")
    response = post_profile(client, user, {**LICENSED, "profession": "other"})
    assert response.status_code == 400
    assert "Tell us your profession." in response.content.decode()

    post_profile(
        client,
        user,
        {**LICENSED, "profession": "other", "profession_other": "Art therapist"},
    )
    profile = LearnerProfile.objects.get(user=user)
    assert profile.profession_label == "Art therapist"

    post_profile(
        client, user, {**LICENSED, "profession": "lcsw", "profession_other": "Stale"}
    )
    profile.refresh_from_db()
    assert profile.profession_other == "" and profile.profession_label.startswith(
        "Licensed clinical social worker"
    )


def test_the_form_shows_both_paths_and_other_without_javascript(client, make_user):
    client.force_login(make_user("reader"))
    html = client.get(reverse("courses:profile")).content.decode()
    for text in (
        "If you are licensed",
        "If you are pre-licensed",
        "Clinical supervisor",
        "Training program",
        "Other (please specify)",
        "If other, please specify",
    ):
        assert text in html, text
    # The password-error problem of the sign-up page does not repeat here: each error
    # follows its own label.
    response = client.post(reverse("courses:profile"), {**LICENSED, "legal_name": ""})
    html = response.content.decode()
    assert html.index("Legal name") < html.index("Enter your legal name.")
    assert html.index("Enter your legal name.") < html.index("Your status")
