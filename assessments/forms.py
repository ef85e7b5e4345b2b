"""The quiz builder's form: searchable pickers for draw tags and questions that show how
many active questions match, and warn when the quiz draws more than that."""

from django import forms
from django.db.models import Q
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.models import Tag

from courses.forms import AdminModelForm

from . import conf
from .models import Question, QuestionTag, Quiz
from .selectors import question_pool


def is_internal_tag(name: str) -> bool:
    return name.lower().startswith(conf.internal_tag_prefixes())


class PickerWidget(forms.CheckboxSelectMultiple):
    """Checkboxes with a search box; each option carries the ids of the active questions
    it adds to the pool, so the page can count the pool as the trainer picks."""

    template_name = "assessments/admin/widgets/picker.html"

    def __init__(self, *args, search_label="", **kwargs):
        super().__init__(*args, **kwargs)
        self.search_label = search_label
        self.pool_ids: dict[int, list[int]] = {}
        self.summary: dict | None = None

    class Media:
        js = ["assessments/quiz_builder.js"]
        css = {"all": ["assessments/quiz_builder.css"]}

    def create_option(self, name, value, label, selected, index, **kwargs):
        option = super().create_option(name, value, label, selected, index, **kwargs)
        key = getattr(value, "value", value)
        option["pool_ids"] = ",".join(str(pk) for pk in self.pool_ids.get(key, []))
        option["search_text"] = str(label).lower()
        return option

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["search_label"] = self.search_label
        context["widget"]["summary"] = self.summary
        return context


def pool_summary(count: int, matches: int) -> dict:
    text = ngettext(
        "%(matches)d active question matches; this quiz draws %(count)d.",
        "%(matches)d active questions match; this quiz draws %(count)d.",
        matches,
    ) % {"matches": matches, "count": count}
    warning = ""
    if count > matches:
        warning = _(
            "The quiz draws more questions than match: learners will get only "
            "%(matches)d. Add tags or questions, or lower the count."
        ) % {"matches": matches}
    return {"text": text, "warning": warning}


class QuizForm(AdminModelForm):
    class Meta:
        model = Quiz
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        selected_tags = set(self._initial_ids("draw_tags"))
        selected_questions = set(self._initial_ids("questions"))
        self._setup_tags(selected_tags)
        self._setup_questions(selected_questions)
        count = self.initial.get("question_count") or self.instance.question_count
        matches = question_pool(
            tag_ids=selected_tags, question_ids=selected_questions
        ).count()
        self.fields["questions"].widget.summary = pool_summary(count, matches)

    def _initial_ids(self, name: str) -> list[int]:
        initial = self.initial.get(name) or []
        return [getattr(item, "pk", item) for item in initial]

    def _setup_tags(self, selected: set[int]):
        field = self.fields["draw_tags"]
        # The widget first: assigning the queryset hands its choices to the widget.
        field.widget = PickerWidget(search_label=_("Search tags"))
        active_by_tag: dict[int, list[int]] = {}
        for tag_id, question_id in QuestionTag.objects.filter(
            content_object__is_active=True
        ).values_list("tag_id", "content_object_id"):
            active_by_tag.setdefault(tag_id, []).append(question_id)
        tags = [
            tag
            for tag in Tag.objects.filter(assessments_questiontag_items__isnull=False)
            .distinct()
            .order_by("name")
            if tag.pk in selected or not is_internal_tag(tag.name)
        ]
        field.queryset = Tag.objects.filter(pk__in=[tag.pk for tag in tags]).order_by(
            "name"
        )
        field.label_from_instance = lambda tag: (
            ngettext(
                "%(name)s (%(count)d active question)",
                "%(name)s (%(count)d active questions)",
                len(active_by_tag.get(tag.pk, [])),
            )
            % {"name": tag.name, "count": len(active_by_tag.get(tag.pk, []))}
        )
        field.widget.pool_ids = active_by_tag
        field.help_text = _(
            "Questions with any of these tags are drawn. Internal bookkeeping tags are "
            "hidden."
        )

    def _setup_questions(self, selected: set[int]):
        field = self.fields["questions"]
        field.widget = PickerWidget(search_label=_("Search questions"))
        questions = list(
            Question.objects.filter(Q(is_active=True) | Q(pk__in=selected)).order_by(
                "key"
            )
        )
        field.queryset = Question.objects.filter(pk__in=[q.pk for q in questions])
        by_pk = {q.pk: q for q in questions}

        def label(question):
            question = by_pk.get(question.pk, question)
            stem = strip_tags(question.stem)
            stem = stem if len(stem) <= 90 else stem[:89].rstrip() + "…"
            retired = "" if question.is_active else _(" (retired: never drawn)")
            return f"{question.key} · {stem} · {question.get_type_display()}{retired}"

        field.label_from_instance = label
        field.widget.pool_ids = {q.pk: [q.pk] for q in questions if q.is_active}
