"""Free enrolment, test-mode checkout, order pages and who may open what."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.test import Client
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.documents.models import Document
from wagtail.images.models import Image

from courses import services, services_orders
from courses.models import Enrolment, EnrolmentStatus, ModulePage, Order, OrderStatus

pytestmark = pytest.mark.django_db


def test_get_on_the_enrol_url_never_enrols(client, learner, free_course):
    client.force_login(learner)
    response = client.get(reverse("courses:enrol", args=[free_course.pk]))
    assert response.status_code == 405
    assert not Enrolment.objects.exists()


def test_free_enrolment_needs_a_csrf_token(learner, free_course):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    response = client.post(reverse("courses:enrol", args=[free_course.pk]))
    assert response.status_code == 403
    assert not Enrolment.objects.exists()


def test_free_enrolment_by_post(client, learner, free_course):
    client.force_login(learner)
    response = client.post(reverse("courses:enrol", args=[free_course.pk]))
    assert response.status_code == 302 and response["Location"] == free_course.url
    enrolment = Enrolment.objects.get(user=learner, course=free_course)
    assert enrolment.status == EnrolmentStatus.ACTIVE and enrolment.source == "free"
    assert client.get(free_course.modules[0].url).status_code == 200


def test_anonymous_enrol_goes_to_login(client, free_course):
    response = client.post(reverse("courses:enrol", args=[free_course.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_enrol_on_an_unknown_course_is_a_404(client, learner):
    client.force_login(learner)
    assert client.post(reverse("courses:enrol", args=[999999])).status_code == 404


def test_test_mode_checkout_pays_through_the_same_fulfilment(
    client, learner, course, settings
):
    settings.COURSES_PAYMENT_BACKEND = "courses.payments.testmode.TestModeBackend"
    client.force_login(learner)
    response = client.post(reverse("courses:enrol", args=[course.pk]))
    checkout_url = response["Location"]
    assert checkout_url.startswith("/learn/checkout/test-mode/")
    page = client.get(checkout_url).content.decode()
    assert "Test-mode checkout" in page and "USD 349.00" in page

    response = client.post(checkout_url, {"action": "pay"})
    assert (
        response.status_code == 302
        and "session_id=cs_testmode_" in response["Location"]
    )
    response = client.get(response["Location"])
    assert response["Location"] == course.url
    assert Order.objects.get(user=learner).status == OrderStatus.PAID
    assert Enrolment.objects.get(user=learner).status == EnrolmentStatus.ACTIVE


def test_test_mode_cancel_expires_the_order(client, learner, course, settings):
    settings.COURSES_PAYMENT_BACKEND = "courses.payments.testmode.TestModeBackend"
    client.force_login(learner)
    checkout_url = client.post(reverse("courses:enrol", args=[course.pk]))["Location"]
    response = client.post(checkout_url, {"action": "cancel"})
    assert response.status_code == 302
    assert Order.objects.get().status == OrderStatus.EXPIRED
    assert not Enrolment.objects.exists()


def test_test_mode_pages_are_404_when_another_backend_is_configured(
    client, learner, course, fake_stripe
):
    client.force_login(learner)
    response = client.get(
        reverse("courses:testmode_checkout", args=["cs_testmode_anything"])
    )
    assert response.status_code == 404


def test_a_learner_sees_only_their_own_orders(
    client, make_user, learner, course, settings
):
    settings.COURSES_PAYMENT_BACKEND = "courses.payments.testmode.TestModeBackend"
    other = make_user("other")
    services.profile_update(
        user=other,
        legal_name="Other Person",
        profession="lpc",
        licence_number="LPC-1",
        licence_jurisdiction="Texas",
        licence_in_good_standing=True,
    )
    theirs, _ = services_orders.checkout_start(
        user=other, course=course, success_url="http://x/s", cancel_url="http://x/c"
    )
    mine, _ = services_orders.checkout_start(
        user=learner, course=course, success_url="http://x/s", cancel_url="http://x/c"
    )
    client.force_login(learner)
    listing = client.get(reverse("courses:order_list")).content.decode()
    assert mine.reference in listing and theirs.reference not in listing
    assert (
        client.get(reverse("courses:order_detail", args=[mine.reference])).status_code
        == 200
    )
    assert (
        client.get(reverse("courses:order_detail", args=[theirs.reference])).status_code
        == 404
    )


def test_anonymous_visitors_get_the_syllabus_not_a_403(client, course):
    response = client.get(course.modules[0].url)
    assert response.status_code == 302 and response["Location"] == course.url
    page = client.get(course.url).content.decode()
    assert "Sign up to enroll" in page and "Gated teaching text" not in page


def test_not_enrolled_learner_is_sent_to_the_course_page(client, learner, course):
    client.force_login(learner)
    response = client.get(course.modules[0].url, follow=True)
    assert response.redirect_chain[-1][0] == course.url
    assert "Enroll in this course to open its modules." in response.content.decode()


def test_modules_in_order_explain_what_to_finish_first(
    client, enrolled_learner, course
):
    client.force_login(enrolled_learner)
    first, second, third = course.modules
    response = client.get(third.url, follow=True)
    assert "Finish “Module 1” first." in response.content.decode()
    assert client.get(first.url).status_code == 200  # opening it completes it (no quiz)
    assert client.get(second.url).status_code == 200
    assert client.get(third.url).status_code == 200


def test_modules_without_required_order_are_all_open(
    client, make_user, make_course, complete_profile
):
    course = make_course(title="Any order", in_order=False)
    user = make_user("free-roamer")
    services.enrolment_grant(user=user, course=course, actor=None, reason="test")
    client.force_login(user)
    assert client.get(course.modules[2].url).status_code == 200


def test_course_page_shows_progress_and_locks(client, enrolled_learner, course):
    client.force_login(enrolled_learner)
    client.get(course.modules[0].url)
    page = client.get(course.url).content.decode()
    assert "1 of 3 modules complete (33%)" in page
    assert "Resume: Module 2" in page
    assert "Locked until the previous module is complete" in page


def test_staff_who_can_edit_may_preview_without_enrolling(client, trainer, course):
    client.force_login(trainer)
    assert client.get(course.modules[2].url).status_code == 200


def test_revoked_learner_loses_access(client, enrolled_learner, course):
    client.force_login(enrolled_learner)
    assert client.get(course.modules[0].url).status_code == 200
    enrolment = Enrolment.objects.get(user=enrolled_learner)
    services.enrolment_revoke(enrolment=enrolment, actor=None, reason="Licence lapsed")
    assert client.get(course.modules[0].url).status_code == 302


def test_dashboard_lists_enrolments_with_progress(client, enrolled_learner, course):
    client.force_login(enrolled_learner)
    page = client.get(reverse("courses:dashboard")).content.decode()
    assert (
        course.title in page
        and "0 of 3 modules complete" in page
        and "Start: Module 1" in page
    )


def test_dashboard_empty_state(client, learner):
    client.force_login(learner)
    page = client.get(reverse("courses:dashboard")).content.decode()
    assert "You're not enrolled in any course yet" in page


# --- Search ---------------------------------------------------------------------------


def test_search_never_lists_gated_modules(client, course, make_user):
    module = course.modules[0]
    module.body = [
        {"type": "rich_text", "value": "<p>Zygomorphic dissociation teaching.</p>"}
    ]
    module.save_revision().publish()

    anonymous = client.get(reverse("search"), {"q": "zygomorphic"}).content.decode()
    assert module.title not in anonymous and "Nothing matched" in anonymous

    outsider = make_user("outsider")
    client.force_login(outsider)
    assert (
        module.title
        not in client.get(reverse("search"), {"q": "zygomorphic"}).content.decode()
    )

    services.enrolment_grant(user=outsider, course=course, actor=None, reason="test")
    assert (
        module.title
        in client.get(reverse("search"), {"q": "zygomorphic"}).content.decode()
    )


def test_search_still_finds_public_course_pages(client, course):
    assert (
        course.title
        in client.get(reverse("search"), {"q": "Foundations"}).content.decode()
    )


def test_search_with_odd_input_is_fine(client, course):
    assert (
        client.get(reverse("search"), {"q": "x" * 5000, "page": "abc"}).status_code
        == 200
    )


# --- Documents and images used in modules -------------------------------------------


def add_to_module(module, block):
    module.body = [block]
    module.save_revision().publish()


def test_module_documents_are_served_only_to_people_with_access(
    client, course, make_user, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    document = Document.objects.create(
        title="Intake form", file=ContentFile(b"%PDF-1.4 intake", name="intake.pdf")
    )
    add_to_module(
        course.modules[0],
        {
            "type": "rich_text",
            "value": f'<p>Download the <a linktype="document" id="{document.pk}">intake form</a>.</p>',
        },
    )
    url = document.url
    assert client.get(url).status_code == 404

    user = make_user("doc-reader")
    services.enrolment_grant(user=user, course=course, actor=None, reason="test")
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")


def test_module_images_are_served_only_to_people_with_access(
    client, course, make_user, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 32), "teal").save(buffer, "PNG")
    image = Image.objects.create(
        title="Diagram",
        file=ImageFile(io.BytesIO(buffer.getvalue()), name="diagram.png"),
    )
    add_to_module(
        course.modules[0],
        {
            "type": "image",
            "value": {"image": image.pk, "alt_text": "Diagram", "caption": ""},
        },
    )
    url = reverse("courses:module_image", args=[image.pk, "max-960x720"])
    assert client.get(url).status_code == 404

    user = make_user("image-viewer")
    services.enrolment_grant(user=user, course=course, actor=None, reason="test")
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert (
        client.get(
            reverse("courses:module_image", args=[image.pk, "width-5000"])
        ).status_code
        == 404
    )
    module_html = client.get(course.modules[0].url).content.decode()
    assert f'src="{url}"' in module_html


def test_unpublished_module_is_not_served(client, enrolled_learner, course):
    module = ModulePage.objects.get(pk=course.modules[1].pk)
    module.unpublish()
    client.force_login(enrolled_learner)
    assert client.get("/courses/foundations-of-kap/module-2/").status_code == 404
