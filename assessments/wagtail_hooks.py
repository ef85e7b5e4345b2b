from wagtail import hooks

from . import viewsets, viewsets_certificates

viewsets.register_permission_policies()
viewsets_certificates.register_permission_policies()


@hooks.register("register_admin_viewset")
def register_assessments_admin():
    return viewsets.assessments_viewset_group


@hooks.register("register_admin_viewset")
def register_certificates_admin():
    return viewsets_certificates.certificates_viewset_group
