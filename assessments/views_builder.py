"""The quiz builder's admin views: a quiz created from its module (or course) with sensible
defaults and a way back, a warning when it draws more than its pool, and the question
bank's usage and item-statistics columns."""

from django.contrib import messages
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from taggit.models import Tag
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, EditView, IndexView

from courses.models import CoursePage, ModulePage

from . import selectors
from .models import QuizKind

MODULE_QUIZ_QUESTIONS = 8
POST_TEST_QUESTIONS = 20


class ReturnToMixin:
    """After saving, go back where the trainer came from (the module editor, the course
    outline) when a safe `next` was given."""

    def next_url(self) -> str:
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}
        ):
            return target
        return ""

    def with_next(self, url: str) -> str:
        target = self.next_url()
        if not target:
            return url
        return f"{url}{'&' if '?' in url else '?'}{urlencode({'next': target})}"

    def get_success_url(self):
        return self.next_url() or super().get_success_url()

    def save_instance(self):
        quiz = super().save_instance()
        matches = selectors.quiz_pool_size(quiz)
        if quiz.question_count > matches:
            messages.warning(
                self.request,
                _(
                    "“%(quiz)s” draws %(count)d questions but only %(matches)d active "
                    "questions match: learners will get %(matches)d."
                )
                % {"quiz": quiz, "count": quiz.question_count, "matches": matches},
            )
        return quiz


class QuizCreateView(ReturnToMixin, CreateView):
    def get_add_url(self):
        return self.with_next(super().get_add_url())

    def get_initial(self):
        initial = super().get_initial()
        module = ModulePage.objects.filter(
            pk=self.request.GET.get("module") or 0
        ).first()
        course = CoursePage.objects.filter(
            pk=self.request.GET.get("course") or 0
        ).first()
        if module is not None:
            initial.update(
                kind=QuizKind.MODULE,
                module=module.pk,
                title=_("%(module)s: module quiz") % {"module": module.title},
                question_count=MODULE_QUIZ_QUESTIONS,
                draw_tags=list(Tag.objects.filter(name=module.kind)),
            )
        elif course is not None:
            kinds = {m.kind for m in ModulePage.objects.child_of(course)}
            initial.update(
                kind=QuizKind.POST_TEST,
                course=course.pk,
                title=_("%(course)s: final post-test") % {"course": course.title},
                question_count=POST_TEST_QUESTIONS,
                draw_tags=list(Tag.objects.filter(name__in=kinds)),
            )
        return initial


class QuizEditView(ReturnToMixin, EditView):
    def get_edit_url(self):
        return self.with_next(super().get_edit_url())


class UsedInColumn(Column):
    def get_value(self, instance):
        count = getattr(instance, "used_in", None) or 0
        if not count:
            return _("No quiz")
        return _("1 quiz") if count == 1 else _("%(count)d quizzes") % {"count": count}


class StatisticsColumn(Column):
    def get_value(self, instance):
        stats = getattr(instance, "item_stats", None)
        if not stats:
            return "–"
        summary = _("%(percent)s%% correct of %(shown)d") % {
            "percent": stats["percent_correct"],
            "shown": stats["shown"],
        }
        if stats["discrimination"] is not None:
            summary += " · " + _("discrimination %(value)s") % {
                "value": stats["discrimination"]
            }
        if stats["flags"]:
            return format_html(
                '{} <span class="w-status w-status--label">{}</span>',
                summary,
                _("Check: %(why)s") % {"why": ", ".join(stats["flags"])},
            )
        return summary


class QuestionIndexView(IndexView):
    used_in_column = UsedInColumn(
        "used_in", label=gettext_lazy("Used in"), sort_key="used_in"
    )
    statistics_column = StatisticsColumn(
        "item_stats", label=gettext_lazy("How learners did")
    )

    def get_base_queryset(self):
        return selectors.with_quiz_usage(super().get_base_queryset())

    def get_table(self, object_list):
        object_list = list(object_list)
        stats = selectors.question_statistics()
        for question in object_list:
            question.item_stats = stats.get(question.pk)
        return super().get_table(object_list)
