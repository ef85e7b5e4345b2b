"""The page tree: catalogue -> course -> module."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks as wagtail_blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .. import conf
from ..blocks import RICH_TEXT_FEATURES, FacultyBlock, ModuleBodyBlock


def objectives_field():
    return StreamField(
        [("objective", wagtail_blocks.CharBlock(max_length=300, icon="tick"))],
        blank=True,
        help_text=_(
            "One measurable objective per item, e.g. 'Explain the disinhibition model'."
        ),
    )


CURRENCIES = [(code, code) for code in ("USD", "EUR", "GBP", "CAD", "AUD", "NZD")]


class DeliveryFormat(models.TextChoices):
    HOME_STUDY = "home_study", _("Home study (self-paced online)")
    LIVE_WEBINAR = "live_webinar", _("Live interactive webinar")
    IN_PERSON = "in_person", _("In person")
    BLENDED = "blended", _("Blended")


class ModuleKind(models.TextChoices):
    MECHANISM = "mechanism", _("Mechanism of action")
    SCREENING = "screening", _("Screening and assessment")
    SESSION_PRESENCE = "session_presence", _("Session presence")
    INTEGRATION = "integration", _("Integration")
    ETHICS = "ethics", _("Ethics and scope")
    OTHER = "other", _("Other")


class CourseIndexPage(Page):
    """The catalogue. It owns its listing query."""

    intro = RichTextField(blank=True, features=RICH_TEXT_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = conf.catalogue_parent_page_types()
    subpage_types = ["courses.CoursePage"]

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        from ..selectors import catalogue_courses, catalogue_filters_from_query

        context = super().get_context(request, *args, **kwargs)
        filters = catalogue_filters_from_query(request.GET)
        context["filters"] = filters
        context["courses"] = catalogue_courses(self, **filters)
        context["topic_choices"] = ModuleKind.choices
        return context


class CoursePage(Page):
    summary = models.TextField(
        help_text=_("One or two sentences for the catalogue card.")
    )
    audience = models.TextField(blank=True)
    prerequisites = models.TextField(blank=True)
    learning_objectives = objectives_field()
    faculty = StreamField([("member", FacultyBlock())], blank=True)
    price = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("0 makes the course free."),
    )
    currency = models.CharField(max_length=3, default="USD", choices=CURRENCIES)
    ce_hours = models.DecimalField(
        _("CE hours"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    credit_type = models.CharField(
        max_length=200, blank=True, help_text=_("For example 'APA CE (homestudy)'.")
    )
    accreditation_statement = models.TextField(
        blank=True, help_text=_("The accreditor's exact approval wording.")
    )
    delivery_format = models.CharField(
        max_length=20, choices=DeliveryFormat.choices, default=DeliveryFormat.HOME_STUDY
    )
    certificate_validity_months = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Certificates expire after this many months; empty for no expiry."),
    )
    modules_in_order = models.BooleanField(
        default=True, help_text=_("Learners must complete modules in the listed order.")
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("hero_image"),
        MultiFieldPanel(
            [
                FieldPanel("audience"),
                FieldPanel("prerequisites"),
                FieldPanel("learning_objectives"),
            ],
            heading=_("Who it is for and what they will learn"),
        ),
        FieldPanel("faculty"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("price"), FieldPanel("currency")]),
                FieldRowPanel([FieldPanel("ce_hours"), FieldPanel("delivery_format")]),
                FieldPanel("credit_type"),
                FieldPanel("accreditation_statement"),
                FieldPanel("certificate_validity_months"),
                FieldPanel("modules_in_order"),
            ],
            heading=_("Price and continuing-education credit"),
        ),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("audience"),
    ]

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]

    class Meta:
        verbose_name = _("course")

    @property
    def is_free(self) -> bool:
        return self.price == 0

    @property
    def awards_ce(self) -> bool:
        return self.ce_hours > 0

    @cached_property
    def modules(self):
        return list(
            ModulePage.objects.child_of(self).live().specific().order_by("path")
        )

    @property
    def total_minutes(self) -> int:
        return sum(module.estimated_minutes for module in self.modules)

    def get_context(self, request, *args, **kwargs):
        from ..selectors import course_learner_state

        context = super().get_context(request, *args, **kwargs)
        from ..extensions import panels
        from ..memo import rendering

        context["modules"] = self.modules
        with rendering(self):
            context.update(course_learner_state(request.user, self, self.modules))
            context["course_panels"] = panels("course", request, self)
        return context


class ModulePage(Page):
    kind = models.CharField(
        max_length=20, choices=ModuleKind.choices, default=ModuleKind.OTHER
    )
    summary = models.TextField(blank=True)
    learning_objectives = objectives_field()
    estimated_minutes = models.PositiveIntegerField(default=30)
    body = StreamField(ModuleBodyBlock(), blank=True)

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("estimated_minutes")]),
        FieldPanel("summary"),
        FieldPanel("learning_objectives"),
        FieldPanel("body"),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("kind"),
    ]

    parent_page_types = ["courses.CoursePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("module")

    @cached_property
    def course(self) -> CoursePage:
        return self.get_parent().specific

    def serve(self, request, *args, **kwargs):
        from django.contrib import messages
        from django.shortcuts import redirect

        from ..access import module_access
        from ..services import progress_record_visit

        decision = module_access(request.user, self)
        if not decision.allowed:
            # Never a bare 403: send them to the syllabus, which explains how to get in.
            messages.info(request, decision.message)
            return redirect(self.course.get_url(request))
        if decision.reason == "enrolled":
            progress_record_visit(user=request.user, module=self)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from ..extensions import panels

        context = super().get_context(request, *args, **kwargs)
        context["module_panels"] = panels("module", request, self)
        modules = self.course.modules
        index = next((i for i, m in enumerate(modules) if m.pk == self.pk), None)
        if index is not None:
            context["previous_module"] = modules[index - 1] if index > 0 else None
            context["next_module"] = (
                modules[index + 1] if index + 1 < len(modules) else None
            )
        return context

    @property
    def table_of_contents(self):
        """(anchor, text, level) for each heading block, for the in-page contents list."""
        return [
            (block.id, block.value["text"], block.value["level"])
            for block in self.body
            if block.block_type == "heading"
        ]
