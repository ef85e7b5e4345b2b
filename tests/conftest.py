"""Shared fixtures: the page tree (home, catalogue, course, modules) and users."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from courses.models import CourseIndexPage, CoursePage, ModulePage
from courses.roles import TRAINERS, ensure_roles

MODULE_KINDS = ["mechanism", "screening", "session_presence", "integration", "ethics"]


def body_with_text(text: str) -> list[dict]:
    return [
        {"type": "heading", "value": {"text": "Overview", "level": "h2"}},
        {"type": "rich_text", "value": f"<p>{text}</p>"},
        {
            "type": "reference",
            "value": {"citation": "Test source", "url": "", "grade": "H", "note": ""},
        },
    ]


def publish_child(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def home_page():
    from home.models import HomePage

    return HomePage.objects.get(depth=2)


@pytest.fixture
def catalogue(home_page):
    return publish_child(home_page, CourseIndexPage(title="Courses", slug="courses"))


@pytest.fixture
def make_course(catalogue):
    def make(
        *,
        title="Foundations of KAP",
        slug=None,
        price="349.00",
        ce_hours="12",
        modules=3,
        in_order=True,
        kinds=None,
    ):
        course = publish_child(
            catalogue,
            CoursePage(
                title=title,
                slug=slug or title.lower().replace(" ", "-"),
                summary=f"Summary of {title}.",
                price=Decimal(price),
                ce_hours=Decimal(ce_hours),
                credit_type="Continuing education (homestudy)"
                if Decimal(ce_hours)
                else "",
                modules_in_order=in_order,
            ),
        )
        for index in range(modules):
            kind = (kinds or MODULE_KINDS)[index % len(kinds or MODULE_KINDS)]
            publish_child(
                course,
                ModulePage(
                    title=f"Module {index + 1}",
                    slug=f"module-{index + 1}",
                    kind=kind,
                    estimated_minutes=30,
                    summary=f"Summary of module {index + 1}.",
                    body=body_with_text(f"Gated teaching text for module {index + 1}."),
                ),
            )
        return course

    return make


@pytest.fixture
def course(make_course):
    return make_course()


@pytest.fixture
def free_course(make_course):
    return make_course(
        title="Orientation", price="0", ce_hours="0", modules=1, in_order=False
    )


@pytest.fixture
def make_user(db):
    def make(username="learner", *, email=None, password="pw-correct-horse", **extra):
        user = get_user_model().objects.create_user(
            username=username,
            email=email or f"{username}@example.com",
            password=password,
            **extra,
        )
        return user

    return make


@pytest.fixture
def trainer(make_user, catalogue):
    user = make_user("trainer", is_staff=True)
    user.groups.add(ensure_roles()[TRAINERS])
    return user
