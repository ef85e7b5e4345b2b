from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import queue, views


class FailedTasksMenuItem(MenuItem):
    def is_shown(self, request):
        return views.may_manage_tasks(request.user) and queue.uses_database_backend()


@hooks.register("register_admin_urls")
def register_failed_tasks_urls():
    return [
        path(
            "reports/failed-tasks/", views.failed_tasks, name="operations_failed_tasks"
        ),
        path(
            "reports/failed-tasks/<uuid:pk>/retry/",
            views.retry_task,
            name="operations_retry_task",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_failed_tasks_menu_item():
    return FailedTasksMenuItem(
        "Failed tasks",
        reverse("operations_failed_tasks"),
        icon_name="warning",
        order=900,
    )
