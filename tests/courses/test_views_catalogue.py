import pytest

pytestmark = pytest.mark.django_db


def test_home_page_links_to_catalogue(client, catalogue, course):
    html = client.get("/").content.decode()
    assert 'href="/courses/"' in html
    assert "Foundations of KAP" in html


def test_catalogue_lists_courses_with_price_and_hours(client, course, free_course):
    html = client.get("/courses/").content.decode()
    assert "Foundations of KAP" in html and "Orientation" in html
    assert "USD 349.00" in html and "Free" in html
    # Not approved by an accreditor: contact hours, never CE credit.
    assert ">12 contact hours (not approved for CE credit)<" in html
    assert "Awards CE" not in html


def test_catalogue_says_ce_only_for_an_approved_course(client, course):
    course.ce_approved = True
    course.accreditation_statement = "Approved by the Example Board."
    course.save_revision().publish()
    html = client.get("/courses/").content.decode()
    assert ">12 CE hours<" in html and "not approved" not in html


@pytest.mark.parametrize(
    "query,present,absent",
    [
        ("?ce=yes", "Foundations of KAP", "Orientation"),
        # Neither is approved for CE credit.
        ("?ce=approved", "No courses match these filters", "Foundations of KAP"),
        ("?ce=no", "Orientation", "Foundations of KAP"),
        ("?topic=integration", "Foundations of KAP", "Orientation"),
    ],
)
def test_catalogue_filters(client, make_course, query, present, absent):
    make_course(title="Foundations of KAP", modules=5)
    make_course(
        title="Orientation", price="0", ce_hours="0", modules=1, kinds=["other"]
    )
    html = client.get("/courses/" + query).content.decode()
    cards = html.split('aria-label="Courses"', 1)[-1]
    assert present in cards
    assert absent not in cards


def test_catalogue_ignores_unknown_filter_values(client, course):
    response = client.get("/courses/?topic=<script>&ce=maybe")
    assert response.status_code == 200
    assert "Foundations of KAP" in response.content.decode()


def test_catalogue_empty_state(client, make_course):
    make_course(
        title="Orientation", price="0", ce_hours="0", modules=1, kinds=["other"]
    )
    html = client.get("/courses/?ce=yes").content.decode()
    assert "No courses match these filters" in html


def test_course_page_shows_syllabus_and_hours(client, course):
    html = client.get(course.url).content.decode()
    for text in (
        "Syllabus",
        "Module 1",
        "Module 3",
        "12 contact hours (not approved for CE credit)",
        "Modules are taken in order",
    ):
        assert text in html


def test_module_page_has_table_of_contents_and_landmarks(
    client, course, django_user_model
):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    html = client.get(course.modules[0].url).content.decode()
    assert 'aria-label="Breadcrumb"' in html
    assert "On this page" in html and 'href="#section-' in html
    assert '<main id="main"' in html and 'class="skip-link"' in html


def test_base_layout_serves_assets_locally(client, catalogue):
    html = client.get("/").content.decode()
    assert "/static/css/site.css" in html
    assert "cdn" not in html.lower() and "//fonts." not in html
