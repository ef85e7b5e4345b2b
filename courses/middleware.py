"""Refuse requests carrying NUL characters before any view turns them into a query.

PostgreSQL cannot store or compare a string containing NUL: a lookup with one raises
instead of matching nothing, so `?session_id=%00` or `/orders/%00/` would answer 500.
No address, query string or form field of this site has a use for NUL, so the request is
answered 400 at the door, on every view (the plugin's, Wagtail's and allauth's alike).
"""

import logging

from django.core.exceptions import BadRequest
from django.views.defaults import bad_request

logger = logging.getLogger(__name__)

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def _has_nul(query_dict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in query_dict.lists()
    )


class RejectNullCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or _has_nul(request.GET)
            # Only URL-encoded bodies are read here: multipart bodies belong to their
            # upload handlers, and JSON bodies (webhooks) are checked by their view.
            or (
                request.method == "POST"
                and request.content_type == FORM_CONTENT_TYPE
                and _has_nul(request.POST)
            )
        ):
            logger.warning("Refused a request with a NUL character: %r", request.path)
            # The site's 400 page, with DEBUG on or off: a typo, not a crash to debug.
            return bad_request(
                request, BadRequest("The request holds a NUL character.")
            )
        return self.get_response(request)
