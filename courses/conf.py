"""App settings, read with defaults so the plugin works in any Wagtail site."""

from django.conf import settings


def _get(name, default):
    return getattr(settings, f"COURSES_{name}", default)


def catalogue_parent_page_types():
    # None lets a catalogue live under any page type of the host site.
    return _get("CATALOGUE_PARENT_PAGE_TYPES", None)


def provider_name():
    return _get(
        "PROVIDER_NAME", getattr(settings, "WAGTAIL_SITE_NAME", "Course provider")
    )
