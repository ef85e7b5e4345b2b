"""A panel in the page editor that other apps fill through a courses hook.

`courses` cannot import the apps that extend it, so the module editor shows what they
register under `courses_module_editor_panels` (assessments: the module's quiz, with links
to create or edit it).
"""

from wagtail.admin.panels import Panel

from ..hooks import panels


class HookPanel(Panel):
    def __init__(self, hook_name: str, **kwargs):
        super().__init__(**kwargs)
        self.hook_name = hook_name

    def clone_kwargs(self):
        return {**super().clone_kwargs(), "hook_name": self.hook_name}

    class BoundPanel(Panel.BoundPanel):
        template_name = "courses/admin/hook_panel.html"

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.items = (
                panels(self.panel.hook_name, self.request, self.instance)
                if self.request is not None
                else []
            )

        def is_shown(self):
            return bool(self.items)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["items"] = self.items
            return context
