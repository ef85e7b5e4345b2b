from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from courses.models import CourseIndexPage, CoursePage


class HomePage(Page):
    headline = models.CharField(
        max_length=200,
        default="Training for clinicians in ketamine-assisted psychotherapy",
    )
    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("headline"), FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CourseIndexPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        catalogue = CourseIndexPage.objects.child_of(self).live().first()
        context["catalogue"] = catalogue
        context["featured_courses"] = (
            CoursePage.objects.descendant_of(self).live().public().order_by("path")[:3]
            if catalogue
            else []
        )
        return context
