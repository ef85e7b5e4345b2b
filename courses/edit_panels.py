"""Editor panels: the computed study time beside the minutes and hours a page claims."""

from decimal import Decimal

from wagtail.admin.panels import Panel

from . import study_time


class StudyTimePanel(Panel):
    """Shows what the content supports next to the claim, and warns when the claim is
    more than study_time.CLAIM_TOLERANCE above it. Computed from the saved content:
    save a draft to see an edit counted."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "courses/admin/study_time_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            # By model name: the page models import this panel, so it cannot import them.
            kind = page._meta.model_name
            computed = None
            claimed_minutes = None
            claim_label = ""
            lines = []
            if kind == "modulepage" and page.pk:
                computed = study_time.module_study_time(page)
                claimed_minutes = Decimal(page.estimated_minutes)
                claim_label = f"{page.estimated_minutes} min estimated"
            elif kind == "coursepage" and page.pk:
                course_time = study_time.course_study_time(page)
                computed = course_time.total
                claimed_minutes = study_time.claimed_course_minutes(page)
                claim_label = f"{page.ce_hours.normalize():f} hours claimed"
                lines = [
                    (module.title, module_time)
                    for module, module_time in course_time.modules
                ] + [
                    ("Post-test", course_time.post_test),
                    ("Course evaluation", course_time.evaluation),
                ]
            context.update(
                {
                    "computed": computed,
                    "claim_label": claim_label,
                    "exceeds": computed is not None
                    and claimed_minutes
                    and study_time.claim_exceeds(claimed_minutes, computed.total),
                    "tolerance_percent": int(study_time.CLAIM_TOLERANCE * 100),
                    "basis_text": study_time.basis_statement(),
                    "lines": lines,
                }
            )
            return context
