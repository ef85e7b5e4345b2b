from django.http import Http404
from wagtail import hooks

from . import access
from .viewsets import learning_viewset_group, register_permission_policies

register_permission_policies()


@hooks.register("before_serve_document")
def guard_module_documents(document, request):
    """Documents used in module content are for people who may open those modules."""
    if not access.may_view_media(request.user, document):
        raise Http404


@hooks.register("register_admin_viewset")
def register_learning_admin():
    return learning_viewset_group
