"""Wagtail admin: the question bank, quizzes with analytics, attempts and attempt grants."""

import csv

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import strip_tags
from taggit.models import Tag
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, DeleteView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from courses.forms import AdminModelForm
from courses.models import Cohort
from courses.programmes.selectors import cohort_member_ids
from courses.viewsets import LinkColumn, NoAddPermissionPolicy, ReadOnlyPermissionPolicy

from . import grading, selectors, services
from .forms import QuizForm
from .models import Attempt, AttemptGrant, Question, Quiz
from .views_builder import QuestionIndexView, QuizCreateView, QuizEditView


class StemColumn(Column):
    def get_value(self, instance):
        return strip_tags(instance.stem)[:120]


class QuestionForm(AdminModelForm):
    def clean(self):
        cleaned = super().clean()
        formset = self.formsets.get("options")
        if formset is not None and formset.is_valid():
            options = [
                {"is_correct": form.cleaned_data.get("is_correct", False)}
                for form in formset.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")
            ]
            question = Question(type=cleaned.get("type"))
            try:
                question.validate_options(options)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class QuestionFilterSet(WagtailFilterSet):
    tag = django_filters.ModelChoiceFilter(
        label="Tag",
        queryset=Tag.objects.filter(
            assessments_questiontag_items__isnull=False
        ).distinct(),
        field_name="tagged_items__tag",
    )

    class Meta:
        model = Question
        fields = ["type", "difficulty", "is_active", "reference_grade"]


class QuestionViewSet(ModelViewSet):
    model = Question
    icon = "help"
    menu_label = "Question bank"
    url_prefix = "assessments/questions"
    url_namespace = "assessment_questions"
    copy_view_enabled = True
    inspect_view_enabled = False
    search_backend_name = None
    search_fields = ["key", "stem", "scenario", "explanation"]
    filterset_class = QuestionFilterSet
    index_view_class = QuestionIndexView
    list_display = [
        "key",
        StemColumn("stem", label="Question"),
        "type",
        "difficulty",
        "is_active",
        QuestionIndexView.used_in_column,
        QuestionIndexView.statistics_column,
        LinkColumn(
            "preview",
            label="Preview",
            url_for=lambda q: reverse("assessment_questions:preview", args=[q.pk]),
            text="As a learner sees it",
        ),
    ]
    list_export = [
        "key",
        "type",
        "difficulty",
        "is_active",
        "reference_citation",
        "reference_grade",
        "stem",
    ]
    export_filename = "question-bank"

    edit_handler = ObjectList(Question.panels, base_form_class=QuestionForm)

    def preview_view(self, request, pk):
        if not self.permission_policy.user_has_any_permission(
            request.user, ["change", "view"]
        ):
            raise PermissionDenied
        question = get_object_or_404(
            Question.objects.prefetch_related("options"), pk=pk
        )
        snapshot = services.build_snapshot(
            Quiz(title="Preview", pass_mark=75, shuffle_options=False),
            [question],
            _NoShuffle(),
        )
        return TemplateResponse(
            request,
            "assessments/admin/question_preview.html",
            {
                "question": question,
                "public": grading.public_view(snapshot)[0],
                "options": question.options.all(),
                "index_url": reverse(self.get_url_name("index")),
            },
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("preview/<int:pk>/", self.preview_view, name="preview"),
        ]


class _NoShuffle:
    def shuffle(self, items):
        pass


class QuizDeleteView(DeleteView):
    """A quiz with attempts stays: the attempts are learners' records. Say so instead of
    failing on the protected foreign key."""

    def post(self, request, *args, **kwargs):
        if self.get_object().attempts.exists():
            messages.error(
                request,
                "This quiz has learners' attempts, which are kept as records, so it "
                "cannot be deleted. Untick “Active” to retire it instead.",
            )
            return redirect(self.index_url_name)
        return super().post(request, *args, **kwargs)


class QuizViewSet(ModelViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = "Quizzes"
    url_prefix = "assessments/quizzes"
    url_namespace = "assessment_quizzes"
    copy_view_enabled = False
    search_backend_name = None
    search_fields = ["title"]
    list_filter = ["kind", "is_graded", "is_active", "course"]
    add_view_class = QuizCreateView
    edit_view_class = QuizEditView
    delete_view_class = QuizDeleteView
    edit_handler = ObjectList(Quiz.panels, base_form_class=QuizForm)
    list_display = [
        "title",
        "kind",
        "question_count",
        "pass_mark",
        "attempt_limit",
        LinkColumn(
            "analytics",
            label="Analytics",
            url_for=lambda q: reverse("assessment_quizzes:analytics", args=[q.pk]),
            text="How learners did",
        ),
    ]

    def analytics_view(self, request, pk):
        if not self.permission_policy.user_has_any_permission(
            request.user, ["change", "view"]
        ):
            raise PermissionDenied
        quiz = get_object_or_404(Quiz, pk=pk)
        # Trainers may narrow the analysis to one cohort of the quiz's course.
        course = quiz.course or (quiz.module.course if quiz.module_id else None)
        cohorts = list(Cohort.objects.filter(course=course)) if course else []
        cohort = next(
            (c for c in cohorts if str(c.pk) == request.GET.get("cohort")), None
        )
        stats = (
            selectors.quiz_analytics(quiz, user_ids=cohort_member_ids(cohort))
            if cohort
            else selectors.quiz_statistics(quiz)  # cached until the next submission
        )
        if request.GET.get("export") == "csv":
            return analytics_csv(quiz, stats)
        return TemplateResponse(
            request,
            "assessments/admin/quiz_analytics.html",
            {
                "quiz": quiz,
                "stats": stats,
                "index_url": reverse(self.get_url_name("index")),
                "cohorts": cohorts,
                "cohort": cohort,
            },
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("analytics/<int:pk>/", self.analytics_view, name="analytics"),
        ]


def analytics_csv(quiz, stats) -> HttpResponse:
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="quiz-{quiz.pk}-analytics.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            "question key",
            "question",
            "type",
            "shown",
            "answered",
            "percent correct",
            "discrimination",
            "flagged",
            "option distribution",
        ]
    )
    for question in stats["questions"]:
        writer.writerow(
            [
                question["key"],
                strip_tags(question["stem"]),
                question["type"],
                question["shown"],
                question["answered"],
                question["percent_correct"],
                ""
                if question["discrimination"] is None
                else question["discrimination"],
                "yes" if question["flagged"] else "",
                "; ".join(
                    f"{o['text']}: {o['count']}" for o in question["distribution"]
                ),
            ]
        )
    return response


class AttemptViewSet(ModelViewSet):
    model = Attempt
    icon = "list-ol"
    menu_label = "Attempts"
    url_prefix = "assessments/attempts"
    url_namespace = "assessment_attempts"
    form_fields = ["status"]  # never shown: attempts are read-only here
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "user",
        "quiz",
        "number",
        "status",
        "score",
        "passed",
        "started_at",
        "deadline",
        "submitted_at",
    ]
    search_backend_name = None
    search_fields = ["user__email", "user__username", "quiz__title"]
    list_filter = ["quiz", "status", "passed"]
    list_display = ["user", "quiz", "number", "score", "passed", "submitted_at"]
    list_export = [
        "user.email",
        "quiz",
        "number",
        "status",
        "score",
        "passed",
        "started_at",
        "submitted_at",
    ]
    export_filename = "attempts"


class AttemptGrantForm(AdminModelForm):
    class Meta:
        model = AttemptGrant
        fields = ["user", "quiz", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}


class AttemptGrantCreateView(CreateView):
    page_title = "Grant another attempt"

    def save_instance(self):
        data = self.form.cleaned_data
        return services.attempt_grant(
            user=data["user"],
            quiz=data["quiz"],
            actor=self.request.user,
            reason=data["reason"],
        )


class AttemptGrantViewSet(ModelViewSet):
    model = AttemptGrant
    icon = "plus-inverse"
    menu_label = "Attempt grants"
    url_prefix = "assessments/attempt-grants"
    url_namespace = "assessment_attempt_grants"
    add_view_class = AttemptGrantCreateView
    form_fields = ["user", "quiz", "reason"]
    copy_view_enabled = False
    search_backend_name = None
    search_fields = ["user__email", "quiz__title", "reason"]
    list_filter = ["quiz"]
    list_display = ["user", "quiz", "granted_by", "reason", "created_at"]

    def get_form_class(self, for_update=False):
        return AttemptGrantForm


def register_permission_policies():
    register_permission_policy(Attempt, NoAddPermissionPolicy(Attempt))
    # Grants are the record: created with a reason, never edited or deleted.
    register_permission_policy(AttemptGrant, ReadOnlyPermissionPolicy(AttemptGrant))


class AssessmentsViewSetGroup(ModelViewSetGroup):
    menu_label = "Assessments"
    menu_icon = "tasks"
    menu_order = 310
    items = (
        QuestionViewSet("assessment_questions"),
        QuizViewSet("assessment_quizzes"),
        AttemptViewSet("assessment_attempts"),
        AttemptGrantViewSet("assessment_attempt_grants"),
    )


assessments_viewset_group = AssessmentsViewSetGroup()
