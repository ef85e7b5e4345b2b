import logging
import time
import uuid

from django.conf import settings

from .logs import REQUEST_ID_PATTERN, request_id_var

access_logger = logging.getLogger("operations.access")


class RequestIdMiddleware:
    """Gives each request an id (kept from a proxy's X-Request-ID when it has one), returns
    it in the response, and with LOG_REQUESTS on logs one line per request."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.log_requests = getattr(settings, "LOG_REQUESTS", False)

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = (
            incoming if REQUEST_ID_PATTERN.match(incoming) else uuid.uuid4().hex
        )
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if self.log_requests:
                # The path without its query string: those can carry session ids.
                access_logger.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    },
                )
            return response
        finally:
            request_id_var.reset(token)
