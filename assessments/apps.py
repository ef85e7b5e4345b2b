from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from courses import learner_state, page_cache

        from . import checks  # noqa: F401  (registers the system checks)
        from .models import (
            Certificate,
            EvaluationResponse,
            Question,
            QuestionOption,
            QuestionTag,
            Quiz,
        )
        from .selectors import bank_changed

        # Issuing, revoking or reissuing a certificate, or submitting the evaluation,
        # changes what the learner's course page shows (courses.learner_state).
        learner_state.changes_with(Certificate, EvaluationResponse)
        for signal in (post_save, post_delete):
            # Pages routed from the page cache carry their quiz (assessments.selectors).
            signal.connect(
                page_cache.bump_generation,
                sender=Quiz,
                dispatch_uid=f"assessments-quiz-{signal is post_save}",
            )
            # The cached pools quizzes draw from (assessments.selectors.drawable_pool).
            for model in (Question, QuestionOption, QuestionTag, Quiz):
                signal.connect(
                    bank_changed,
                    sender=model,
                    dispatch_uid=f"assessments-bank-{model.__name__}-{signal is post_save}",
                )
