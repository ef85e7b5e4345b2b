from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from wagtail import hooks

from . import access, page_cache, selectors, services
from .hooks import COURSE_PAGE_CONTEXT
from .memo import rendering
from .models import CoursePage, ModulePage
from .programmes import wagtail_hooks as programme_hooks  # noqa: F401  (registers them)
from .viewsets import learning_viewset_group, register_permission_policies

register_permission_policies()


# Inside Wagtail's own view-restriction check (an on_serve_page hook of order 0), so a login
# or password restriction on the tree still answers first.
@hooks.register("on_serve_page", order=100)
def gate_module_pages(serve):
    """Decide who may open a module before anything renders: the cached module content in
    the template is only ever reached by someone module_access allowed."""

    def gated(page, request, serve_args, serve_kwargs):
        if not isinstance(page, ModulePage):
            return serve(page, request, serve_args, serve_kwargs)
        with rendering(page.course):
            decision = access.module_access(request.user, page)
            record_visit = (
                decision.reason == "enrolled"
                and selectors.module_visit_needs_recording(request.user, page)
            )
        if not decision.allowed:
            # Never a bare 403: send them to the syllabus, which explains how to get in.
            messages.info(request, decision.message)
            return redirect(page.course.get_url(request))
        if record_visit:
            services.progress_record_visit(user=request.user, module=page)
        return serve(page, request, serve_args, serve_kwargs)

    return gated


@hooks.register("before_serve_page")
def remember_the_route(page, request, serve_args, serve_kwargs):
    """Keep the route for the next request (courses.page_cache), with each course's module
    list: public content that changes only when a page is published."""
    if page_cache.route_to_remember(request):
        node = page
        while node is not None:
            if isinstance(node, CoursePage):
                node.modules  # noqa: B018 - loads the list, kept with the route
            node = node.__dict__.get("_cached_parent_obj")
        page_cache.remember_route(page, request, serve_args, serve_kwargs)


# Inside the view-restriction check and the module gate, so only a page that passed both
# for this visitor is offered to the page cache; the middleware then stores it only for an
# anonymous request and a response that nothing makes personal (courses.page_cache).
@hooks.register("on_serve_page", order=200)
def offer_public_pages_to_the_page_cache(serve):
    def offered(page, request, serve_args, serve_kwargs):
        if page_cache.shareable(page, request):
            page_cache.mark_cacheable(request)
        return serve(page, request, serve_args, serve_kwargs)

    return offered


@hooks.register(COURSE_PAGE_CONTEXT)
def course_learner_context(request, course) -> dict:
    return selectors.course_learner_state(request.user, course)


@hooks.register("before_serve_document")
def guard_module_documents(document, request):
    """Documents used in module content are for people who may open those modules."""
    if not access.may_view_media(request.user, document):
        raise Http404


@hooks.register("register_admin_viewset")
def register_learning_admin():
    return learning_viewset_group
