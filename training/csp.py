"""The site's Content Security Policy (django-csp), with one exception for the Wagtail admin.

Public and learner pages get the strict policy in settings.CONTENT_SECURITY_POLICY: only this
site's own scripts, styles, images and fonts, and inline script or style only with the
response's nonce. Wagtail 8's admin still writes inline scripts (date pickers, inline
panels) and inline styles into its own templates, so under the admin prefix the same
local-only policy allows inline code instead of requiring a nonce (a nonce in the policy
would switch 'unsafe-inline' off), and lets the admin frame its own preview.

A preview is rendered by Wagtail through this middleware a second time, on a stand-in
request for the page's public address (`request.is_dummy`): it keeps the strict policy the
page has for learners, except that the admin may frame it.
"""

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings

ADMIN_DIRECTIVES = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    # Image uploads preview the chosen file before it is sent.
    "img-src": [SELF, "data:", "blob:"],
    "frame-src": [SELF],
    # The page editor shows its live preview in a frame of its own origin.
    "frame-ancestors": [SELF],
}


def admin_prefix() -> str:
    return getattr(settings, "CSP_ADMIN_URL_PREFIX", "/admin/")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if getattr(request, "is_dummy", False):
            parts.replace = {"frame-ancestors": [SELF], **(parts.replace or {})}
        elif request.path_info.startswith(admin_prefix()):
            parts.replace = {**ADMIN_DIRECTIVES, **(parts.replace or {})}
        return parts
