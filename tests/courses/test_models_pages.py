import pytest
from wagtail.models import Page

from courses.models import CourseIndexPage, CoursePage, ModulePage
from home.models import HomePage

pytestmark = pytest.mark.django_db


def test_catalogue_lives_only_under_the_home_page(home_page, catalogue, course):
    assert CourseIndexPage.can_create_at(home_page)
    assert not CourseIndexPage.can_create_at(course)
    assert not CourseIndexPage.can_create_at(Page.get_first_root_node())


def test_course_lives_only_in_a_catalogue(home_page, catalogue, course):
    assert CoursePage.can_create_at(catalogue)
    assert not CoursePage.can_create_at(home_page)
    assert not CoursePage.can_create_at(course)


def test_module_lives_only_in_a_course(home_page, catalogue, course):
    module = course.modules[0]
    assert ModulePage.can_create_at(course)
    assert not ModulePage.can_create_at(catalogue)
    assert not ModulePage.can_create_at(home_page)
    assert not ModulePage.can_create_at(module)


def test_each_level_allows_exactly_one_child_type(home_page):
    assert HomePage.allowed_subpage_models() == [CourseIndexPage]
    assert CourseIndexPage.allowed_subpage_models() == [CoursePage]
    assert CoursePage.allowed_subpage_models() == [ModulePage]
    assert ModulePage.allowed_subpage_models() == []


def test_course_facts(course, free_course):
    assert not course.is_free and course.awards_ce
    assert free_course.is_free and not free_course.awards_ce
    assert [m.title for m in course.modules] == ["Module 1", "Module 2", "Module 3"]
    assert course.total_minutes == 90


def test_module_table_of_contents_lists_headings(course):
    module = course.modules[0]
    # Every module page ends with its reference list, which the contents list links to.
    assert [(str(text), level) for _, text, level in module.table_of_contents] == [
        ("Overview", "h2"),
        ("References", "h2"),
    ]
