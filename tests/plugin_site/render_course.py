"""Run inside the plugin-only site: build a catalogue, course and module, then render them."""

import django

django.setup()

from django.test import Client  # noqa: E402
from wagtail.models import Page, Site  # noqa: E402

from courses.models import CourseIndexPage, CoursePage, ModulePage  # noqa: E402

root = Page.get_first_root_node()
host_home = (
    root.get_children().first()
)  # the host site's own home page (wagtail's default)
catalogue = host_home.add_child(
    instance=CourseIndexPage(title="Courses", slug="courses")
)
course = catalogue.add_child(
    instance=CoursePage(
        title="Plugin course",
        slug="plugin-course",
        summary="Works anywhere.",
        ce_hours=3,
    )
)
course.add_child(
    instance=ModulePage(
        title="Plugin module",
        slug="plugin-module",
        kind="mechanism",
        body=[{"type": "rich_text", "value": "<p>Module body text</p>"}],
    )
)
Site.objects.update(hostname="testserver", port=80)
client = Client()
for url, expected in [
    ("/courses/", "Plugin course"),
    ("/courses/plugin-course/", "Plugin module"),
]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert expected in response.content.decode(), url
print("PLUGIN-ONLY OK")
