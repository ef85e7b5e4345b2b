from django import template
from django.utils.translation import gettext as _

from ..certificates.sharing import share_links

register = template.Library()


@register.filter
def get_item(mapping, key):
    if isinstance(mapping, dict):
        return mapping.get(key, "")
    return ""


@register.simple_tag
def certificate_share_links(certificate) -> dict:
    """The certificate's public links, from the configured base URL (never the request)."""
    return share_links(certificate)


@register.filter
def duration(seconds) -> str:
    """Seconds as a person reads a time taken: "45 s", "4 min 30 s", "1 h 5 min"."""
    if seconds is None or seconds == "":
        return "–"
    total = round(float(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if minutes and secs:
        return _("%(minutes)d min %(seconds)d s") % {
            "minutes": minutes,
            "seconds": secs,
        }
    if minutes:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(seconds)d s") % {"seconds": secs}
