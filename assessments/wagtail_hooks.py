from wagtail import hooks

from .viewsets import assessments_viewset_group, register_permission_policies

register_permission_policies()


@hooks.register("register_admin_viewset")
def register_assessments_admin():
    return assessments_viewset_group
