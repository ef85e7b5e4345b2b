"""The full-response cache for anonymous visitors, and the cached Site of a hostname.

`PageCacheMiddleware` answers an anonymous GET of a public page from Django's cache before
Wagtail routes it: no session, no user, no routing, no query. What may be stored is
decided twice, so that one mistake alone never shares a personal page:

- the view opts in: Wagtail pages through `mark_cacheable` (courses.wagtail_hooks, inside
  Wagtail's own view-restriction check, never for a module page or a preview), other views
  by `mark_cacheable` too;
- the response qualifies: the request carried no session or messages cookie, status 200,
  no `Set-Cookie`, nothing in `Cache-Control` that forbids a shared cache, no `Vary`
  beyond `Cookie` and `Accept-Encoding` (read with `django.utils.cache`'s helpers), and
  the page did not use a Content-Security-Policy nonce.

Entries carry the *publish generation* they were rendered under. The generation is a
random token in the cache, replaced after commit whenever something a public page shows
changes: a page is published, unpublished, moved or deleted (a price is a page field, so
changing one is a publish), a view restriction, site, image, document, snippet or site
setting is saved or deleted. An entry of another generation is a miss. The token is read
before the page renders, so a page rendered from data older than a change always carries
an older token than the one the change leaves behind. A release of new templates or
static files changes the key too (`release_fingerprint`).

The same lookup serves every page request, anonymous or not, two more things Wagtail
would otherwise query for, both under the same generation:

- the request's Site, with its root page already in its specific type (Wagtail's own
  per-request cache, `request._wagtail_site`);
- the route: the page this path leads to, with the ancestors routing loaded on the way
  (Wagtail's per-request route cache, `request._wagtail_route_for_request`). A route is
  kept only if every page on it routes with Wagtail's own `Page.route`, so what a path
  leads to depends on nothing but the page tree. Access is still decided on every request
  after routing: Wagtail's view restrictions, then the module gate.
"""

import hashlib
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import cc_delim_re, patch_cache_control

from . import versions

GENERATION_KEY = "courses:page-cache:generation"
PAGE_KEY = "courses:page-cache:page:{release}:{digest}"
SITE_KEY = "courses:page-cache:site:{host}:{port}"
ROUTE_KEY = "courses:page-cache:route:{digest}"
DEFAULT_TIMEOUT = 600
DEFAULT_SHARED_MAX_AGE = 60
STORABLE_VARY = {"cookie", "accept-encoding"}
# Cookies that make a request personal: a session (logged in, or a passed page password)
# or messages waiting to be shown. Any other cookie cannot change a stored page: a page
# that reads the CSRF cookie sets it again, and a response with Set-Cookie is not stored.
MESSAGES_COOKIE = "messages"


def _setting(name, default):
    return getattr(settings, f"COURSES_PAGE_CACHE_{name}", default)


def enabled() -> bool:
    # Off under DEBUG by default: a developer's template edit shows on the next reload.
    return _setting("ENABLED", not settings.DEBUG)


# --- The generation -----------------------------------------------------------------------


def bump_generation(**kwargs) -> None:
    """Something public changed: every stored page, site and route becomes a miss once
    the current transaction commits, and a CDN in front is purged (once however many
    pages the transaction published)."""
    versions.replace_after_commit(GENERATION_KEY, then=purge_frontend_cache)


def _generation_from(values: dict) -> str:
    return versions.current(GENERATION_KEY, values.get(GENERATION_KEY))


# --- Keys ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def release_fingerprint() -> str:
    """Changes when a release changes any template or the static files' manifest, so no
    page rendered by the previous release is served by this one. Computed once a process;
    COURSES_PAGE_CACHE_RELEASE (a release id) replaces it."""
    release = _setting("RELEASE", "")
    if release:
        return hashlib.md5(release.encode(), usedforsecurity=False).hexdigest()[:12]
    from pathlib import Path

    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.template import engines

    digest = hashlib.md5(usedforsecurity=False)
    directories = []
    for engine in engines.all():
        directories += [Path(d) for d in getattr(engine, "template_dirs", ())]
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    location = getattr(staticfiles_storage, "location", None)
    if manifest and location:
        directories.append(Path(location) / manifest)
    for directory in directories:
        paths = sorted(directory.rglob("*")) if directory.is_dir() else [directory]
        for path in paths:
            try:
                stat = path.stat()
            except OSError:
                continue
            digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size};".encode())
    return digest.hexdigest()[:12]


def page_key(request) -> str:
    url = request.build_absolute_uri()
    digest = hashlib.md5(url.encode(), usedforsecurity=False).hexdigest()
    return PAGE_KEY.format(release=release_fingerprint(), digest=digest)


def site_key(request) -> str:
    from django.http.request import split_domain_port

    host = split_domain_port(request._get_raw_host())[0]
    return SITE_KEY.format(host=host, port=request.get_port())


def route_key(request) -> str:
    where = f"{site_key(request)}:{request.path_info}"
    digest = hashlib.md5(where.encode(), usedforsecurity=False).hexdigest()
    return ROUTE_KEY.format(digest=digest)


def is_anonymous_request(request) -> bool:
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and MESSAGES_COOKIE not in request.COOKIES
    )


# --- What views say -------------------------------------------------------------------------


def mark_cacheable(request, *, timeout: int | None = None) -> None:
    """The view's answer to this request is the same for every anonymous visitor."""
    request._courses_page_cacheable = timeout or _setting("TIMEOUT", DEFAULT_TIMEOUT)


def shareable(page, request) -> bool:
    """Whether Wagtail's answer for this page may be shared by anonymous visitors: never
    a preview or a draft, never a page that opts out (`page_cache = False`)."""
    return (
        page.live
        and getattr(page, "page_cache", True)
        and not getattr(request, "is_preview", False)
    )


# --- The middleware --------------------------------------------------------------------------


class PageCacheMiddleware:
    """Place it just after SecurityMiddleware and WhiteNoise, before SessionMiddleware. An
    anonymous GET of a page is answered here, before any inner middleware, the URL
    resolver's second pass or Wagtail run; a response is stored only after the session,
    CSRF and messages middleware have added their cookies. For every other page request
    process_view (once the URL is resolved) gives Wagtail its Site and route."""

    def __init__(self, get_response):
        self.get_response = get_response
        from wagtail.views import serve

        self.page_view = serve

    def __call__(self, request):
        if (
            request.method == "GET"
            and is_anonymous_request(request)
            and enabled()
            and self.is_page(request)
        ):
            key = page_key(request)
            values = cache.get_many([GENERATION_KEY, key])
            generation = _generation_from(values)
            entry = values.get(key)
            if entry is not None and entry[0] == generation:
                return self.cached_response(entry)
            request._courses_page_cache = {"generation": generation, "key": key}
        response = self.get_response(request)
        lookup = getattr(request, "_courses_page_cache", None)
        if lookup is None:
            return response
        timeout = getattr(request, "_courses_page_cacheable", None)
        # A page that used its CSP nonce (django-csp) must not hand the same nonce to
        # every visitor.
        uses_nonce = getattr(request, "_csp_nonce", None) is not None
        if lookup["key"] and timeout and not uses_nonce and self.storable(response):
            patch_cache_control(
                response,
                public=True,
                max_age=0,
                s_maxage=_setting("SHARED_MAX_AGE", DEFAULT_SHARED_MAX_AGE),
            )
            cache.set(
                lookup["key"],
                (
                    lookup["generation"],
                    response.status_code,
                    list(response.items()),
                    response.content,
                ),
                timeout,
            )
        elif not response.has_header("Cache-Control"):
            # Personal (or refused) page answers: no shared cache may keep them.
            patch_cache_control(response, private=True)
        return response

    def is_page(self, request) -> bool:
        """Whether Wagtail's page view answers this path (as URL resolution will say)."""
        from django.urls import Resolver404, get_resolver

        try:
            match = get_resolver(getattr(request, "urlconf", None)).resolve(
                request.path_info
            )
        except Resolver404:
            return False
        return match.func is self.page_view

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is not self.page_view:
            return None
        lookup = getattr(request, "_courses_page_cache", None)
        keys = [site_key(request), route_key(request)]
        if lookup is None:
            keys.append(GENERATION_KEY)
        values = cache.get_many(keys)
        if lookup is None:
            lookup = request._courses_page_cache = {
                "generation": _generation_from(values),
                "key": None,
            }
        generation = lookup["generation"]
        self.attach_site(request, keys[0], values.get(keys[0]), generation)
        route = values.get(keys[1])
        if route is not None and route[0] == generation:
            request._wagtail_route_for_request = route[1]
        else:
            lookup["route_key"] = keys[1]
        return None

    @staticmethod
    def cached_response(entry) -> HttpResponse:
        _generation, status, headers, content = entry
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        return response

    @staticmethod
    def storable(response) -> bool:
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        control = {
            directive.split("=", 1)[0].strip().lower()
            for directive in cc_delim_re.split(response.get("Cache-Control", ""))
            if directive
        }
        if control & {"private", "no-store", "no-cache"}:
            return False
        vary = {
            header.strip().lower()
            for header in cc_delim_re.split(response.get("Vary", ""))
            if header.strip()
        }
        return vary <= STORABLE_VARY

    @staticmethod
    def attach_site(request, key, entry, generation) -> None:
        """Give Wagtail the Site it would look up (request._wagtail_site, its own
        per-request cache), with the root page already specific."""
        if entry is not None and entry[0] == generation:
            request._wagtail_site = entry[1]
            return
        from wagtail.models import Site

        site = Site.find_for_request(request)
        if site is not None:
            site.root_page = site.root_page.localized.specific
        cache.set(key, (generation, site), _setting("TIMEOUT", DEFAULT_TIMEOUT))


def route_to_remember(request) -> bool:
    """Whether this request routed its page itself, and remember_route should keep it."""
    lookup = getattr(request, "_courses_page_cache", None)
    return bool(lookup and lookup.get("route_key"))


def remember_route(page, request, args, kwargs) -> None:
    """Keep the route this request found (called before the page is served, while the
    pages hold nothing but their rows), for the next request to the same address."""
    from wagtail.models import Page

    if not route_to_remember(request) or args or kwargs:
        return
    lookup = request._courses_page_cache
    if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return  # the root page's translation depends on the active language
    node = page
    while node is not None:
        if type(node).route is not Page.route:
            return
        node = node.__dict__.get("_cached_parent_obj")
    # Wagtail's own answer, once per generation, for pages that read it back
    # (courses.models.pages.RouteCachedRestrictionsMixin).
    page._route_cache_view_restrictions = list(page.get_view_restrictions())
    cache.set(
        lookup["route_key"],
        (lookup["generation"], (page, (), {})),
        _setting("TIMEOUT", DEFAULT_TIMEOUT),
    )
    lookup["route_key"] = None


def purge_frontend_cache() -> None:
    """With a CDN in front (WAGTAILFRONTENDCACHE), purge every live public page but
    modules (which are never shared) through wagtail.contrib.frontend_cache: a change can
    show on pages other than the one published (a price on the catalogue, say)."""
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    from wagtail.contrib.frontend_cache.utils import purge_pages_from_cache
    from wagtail.models import Page

    purge_pages_from_cache(
        page
        for page in Page.objects.live().public().specific(defer=True)
        if getattr(page, "page_cache", True)
    )


# --- What changes public pages -----------------------------------------------------------------


def public_content_models() -> list:
    """Models whose rows public pages show or depend on, besides the pages themselves."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import PageViewRestriction, Site
    from wagtail.snippets.models import get_snippet_models

    models = [Site, PageViewRestriction, get_image_model(), get_document_model()]
    models += list(get_snippet_models())
    try:
        from wagtail.contrib.settings.registry import registry
    except ImportError:  # pragma: no cover - the settings app is optional
        pass
    else:
        models += list(registry)
    return models


def _bump_for_public_content(sender, **kwargs):
    if sender in _public_models():
        bump_generation()


@lru_cache(maxsize=1)
def _public_models() -> frozenset:
    return frozenset(public_content_models())


def _bump_for_page(sender, instance=None, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        bump_generation()


def connect_signals() -> None:
    """Called from CoursesConfig.ready()."""
    from wagtail.signals import (
        page_published,
        page_slug_changed,
        page_unpublished,
        post_page_move,
    )

    page_published.connect(bump_generation, dispatch_uid="courses-page-cache-publish")
    page_unpublished.connect(
        bump_generation, dispatch_uid="courses-page-cache-unpublish"
    )
    post_page_move.connect(bump_generation, dispatch_uid="courses-page-cache-move")
    page_slug_changed.connect(bump_generation, dispatch_uid="courses-page-cache-slug")
    post_delete.connect(_bump_for_page, dispatch_uid="courses-page-cache-page-delete")
    # Snippets and settings register late (in wagtail_hooks), so the sender is checked
    # when a row is saved, not when connecting.
    post_save.connect(_bump_for_public_content, dispatch_uid="courses-page-cache-save")
    post_delete.connect(
        _bump_for_public_content, dispatch_uid="courses-page-cache-delete"
    )
