from django import template
from django.core.cache import cache
from wagtail.models import Page

from courses.models import CourseIndexPage
from home.models import CATALOGUE_URL_CACHE_KEY, CATALOGUE_URL_TIMEOUT

register = template.Library()


@register.simple_tag(takes_context=True)
def catalogue_url(context):
    """The catalogue's URL for the navigation, without a query on most pages.

    Under a catalogue, routing has already loaded it as an ancestor of the page. Elsewhere
    the first live catalogue's URL comes from the cache; publishing, unpublishing, moving
    or deleting a catalogue clears it (home.models.forget_catalogue_url).
    """
    request = context.get("request")
    if request is None:
        return "/"
    if not hasattr(request, "_catalogue_url"):
        request._catalogue_url = _routed_catalogue_url(
            context.get("page"), request
        ) or _cached_catalogue_url(request)
    return request._catalogue_url


def _routed_catalogue_url(page, request) -> str | None:
    node = page if isinstance(page, Page) else None
    while node is not None:
        if isinstance(node, CourseIndexPage) and node.live:
            return node.get_url(request)
        node = node.__dict__.get("_cached_parent_obj")
    return None


def _cached_catalogue_url(request) -> str:
    url = cache.get(CATALOGUE_URL_CACHE_KEY)
    if url is None:
        catalogue = CourseIndexPage.objects.live().order_by("path").first()
        # Without the request: the same answer for every visitor (relative on one site).
        url = (catalogue.get_url() if catalogue else None) or "/"
        cache.set(CATALOGUE_URL_CACHE_KEY, url, CATALOGUE_URL_TIMEOUT)
    return url
