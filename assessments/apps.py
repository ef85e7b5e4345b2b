from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from courses import extensions

        from . import checks, panels, selectors  # noqa: F401  (checks registers itself)

        extensions.register_module_requirement(selectors.module_quiz_passed)
        extensions.register_panel("module", panels.module_quiz_panel)
        extensions.register_panel("course", panels.post_test_panel)
        extensions.register_panel("course", panels.certificate_panel)
        extensions.register_panel("dashboard", panels.dashboard_panel)
        extensions.register_role_permissions(
            "Trainers",
            [
                ("assessments", "add_question"),
                ("assessments", "change_question"),
                ("assessments", "view_question"),
                ("assessments", "add_quiz"),
                ("assessments", "change_quiz"),
                ("assessments", "view_quiz"),
                ("assessments", "view_attempt"),
                ("assessments", "add_evaluationform"),
                ("assessments", "change_evaluationform"),
                ("assessments", "view_evaluationform"),
            ],
        )
        extensions.register_role_permissions(
            "Certificate administrators",
            [
                ("assessments", "view_quiz"),
                ("assessments", "view_attempt"),
                ("assessments", "add_attemptgrant"),
                ("assessments", "view_attemptgrant"),
                ("assessments", "add_certificate"),
                ("assessments", "view_certificate"),
                ("assessments", "revoke_certificate"),
                ("assessments", "view_auditevent"),
                ("assessments", "view_evaluationform"),
                ("assessments", "view_evaluationresponse"),
            ],
        )
