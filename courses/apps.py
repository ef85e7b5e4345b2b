from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            learner_state,
            page_cache,
        )
        from .programmes import selectors as programme_selectors

        page_cache.connect_signals()
        learner_state.connect_signals()
        programme_selectors.connect_signals()
