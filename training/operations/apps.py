from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "training.operations"
    label = "operations"  # its tables and migrations keep this name
    verbose_name = "Operations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import queue  # noqa: F401  (connects the retry policy to task_finished)
        from .logs import connect_task_signals

        connect_task_signals()
