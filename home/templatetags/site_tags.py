from django import template

from courses.models import CourseIndexPage

register = template.Library()


@register.simple_tag(takes_context=True)
def catalogue_url(context):
    """The catalogue's URL, looked up once per request for the navigation."""
    request = context.get("request")
    if request is None:
        return "/"
    if not hasattr(request, "_catalogue_url"):
        catalogue = CourseIndexPage.objects.live().order_by("path").first()
        request._catalogue_url = catalogue.get_url(request) if catalogue else "/"
    return request._catalogue_url
