from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from courses.models import CourseIndexPage, CoursePage
from courses.models.pages import RouteCachedRestrictionsMixin

# The navigation's "Courses" link on pages outside a catalogue (see site_tags.catalogue_url).
CATALOGUE_URL_CACHE_KEY = "home:catalogue-url"
CATALOGUE_URL_TIMEOUT = 60 * 60


class HomePage(RouteCachedRestrictionsMixin, Page):
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


def forget_catalogue_url(**kwargs):
    """A catalogue was published, unpublished, moved or deleted, or a site changed."""
    cache.delete(CATALOGUE_URL_CACHE_KEY)
    # Again after commit, in case a request cached the old URL while this transaction ran.
    transaction.on_commit(lambda: cache.delete(CATALOGUE_URL_CACHE_KEY))


page_published.connect(
    forget_catalogue_url,
    sender=CourseIndexPage,
    dispatch_uid="home-catalogue-published",
)
page_unpublished.connect(
    forget_catalogue_url,
    sender=CourseIndexPage,
    dispatch_uid="home-catalogue-unpublished",
)
post_delete.connect(
    forget_catalogue_url, sender=CourseIndexPage, dispatch_uid="home-catalogue-deleted"
)
# Moving any page may move a catalogue (or its ancestors); moves are rare.
post_page_move.connect(forget_catalogue_url, dispatch_uid="home-catalogue-moved")
post_save.connect(forget_catalogue_url, sender=Site, dispatch_uid="home-site-saved")
