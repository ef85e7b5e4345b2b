"""The page tree: catalogue -> course -> module."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks as wagtail_blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageViewRestriction
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


def route_to_child(page, request, path_components, child_model):
    """Wagtail's Page.route in one query per level instead of two.

    Wagtail finds a child with `get_children().get(slug=...)` and then loads `.specific`.
    Where the child's type is known (a catalogue holds courses, a course holds modules) we
    load the specific row straight away. Anything else (another page type, an unknown slug)
    falls back to Wagtail's own routing, which also raises the 404.
    """
    if path_components:
        child = (
            child_model.objects.child_of(page).filter(slug=path_components[0]).first()
        )
        if child is not None:
            child = child.specific  # no query unless a subclass of child_model
            # As Wagtail's route does: get_parent() is then free, all the way up.
            child._cached_parent_obj = page
            return child.route(request, path_components[1:])
    return Page.route(page, request, path_components)


def routed_ancestors(page) -> list[Page] | None:
    """The ancestors routing already loaded (site root first), or None if any is missing."""
    chain = []
    node = page.__dict__.get("_cached_parent_obj")
    while node is not None:
        chain.append(node)
        node = node.__dict__.get("_cached_parent_obj")
    chain.reverse()
    # Complete from depth 2 (a site root) down to the parent; depth 1 is the tree root.
    if [p.depth for p in chain] != list(range(2, page.depth)):
        return None
    return chain


class RoutedPageMixin:
    """Page view restrictions from the ancestors routing loaded: one query, not two.

    Wagtail's check_view_restrictions asks get_view_restrictions(), which loads every
    ancestor again to see whether any is an alias. When this page was reached through
    routing we already hold those ancestors, so only the restrictions query remains. If any
    page in the chain is an alias, or the chain is incomplete, Wagtail's own method decides.
    """

    def get_view_restrictions(self):
        chain = routed_ancestors(self)
        if chain is None or any(p.alias_of_id for p in [*chain, self]):
            return super().get_view_restrictions()
        root_path = self.path[: self.steplen]  # the tree root cannot be an alias
        return PageViewRestriction.objects.filter(
            Q(page_id__in=[p.pk for p in chain] + [self.pk]) | Q(page__path=root_path)
        )


class CourseIndexPage(RoutedPageMixin, Page):
    """The catalogue. It owns its listing query."""

    intro = RichTextField(blank=True, features=RICH_TEXT_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = conf.catalogue_parent_page_types()
    subpage_types = ["courses.CoursePage"]

    class Meta:
        verbose_name = _("course catalogue")

    def route(self, request, path_components):
        return route_to_child(self, request, path_components, CoursePage)

    def get_context(self, request, *args, **kwargs):
        from ..selectors import (
            catalogue_courses,
            catalogue_filters_from_query,
            pages_cache_key,
        )

        context = super().get_context(request, *args, **kwargs)
        filters = catalogue_filters_from_query(request.GET)
        courses = list(catalogue_courses(self, **filters))
        context["filters"] = filters
        context["courses"] = courses
        # The cards are cached (public content); any course published, moved or
        # unpublished changes this key.
        context["courses_cache_key"] = pages_cache_key(courses)
        context["topic_choices"] = ModuleKind.choices
        return context


class CoursePage(RoutedPageMixin, Page):
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
    def modules(self) -> list["ModulePage"]:
        """Live modules in order: one query (modules have no page subtypes to resolve).
        Their bodies are not loaded: lists show titles, and each module page loads its own."""
        return self.adopt_modules(
            ModulePage.objects.child_of(self)
            .live()
            .defer_streamfields()
            .order_by("path")
        )

    def adopt_modules(self, modules) -> list["ModulePage"]:
        """Keep `modules` as this course's module list; each module's `course` is then free."""
        modules = list(modules)
        for module in modules:
            module._cached_parent_obj = self
        self.__dict__["modules"] = modules
        return modules

    @property
    def total_minutes(self) -> int:
        return sum(module.estimated_minutes for module in self.modules)

    def route(self, request, path_components):
        return route_to_child(self, request, path_components, ModulePage)

    def get_context(self, request, *args, **kwargs):
        from ..extensions import panels
        from ..memo import rendering
        from ..selectors import course_learner_state, pages_cache_key

        context = super().get_context(request, *args, **kwargs)
        with rendering(self):
            # Learner state first: for an enrolled learner it loads the module list and
            # their progress in one query.
            context.update(course_learner_state(request.user, self))
            context["modules"] = self.modules
            context["course_panels"] = panels("course", request, self)
        # The public syllabus fragment is cached; publishing, moving or unpublishing a
        # module changes this key (the page's own key covers the course's fields).
        context["modules_cache_key"] = pages_cache_key(self.modules)
        return context


class ModulePage(RoutedPageMixin, Page):
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
        from ..memo import rendering
        from ..selectors import module_visit_needs_recording
        from ..services import progress_record_visit

        # Access is decided here, before anything renders: the cached module content in
        # the template is only ever reached by someone module_access allowed.
        with rendering(self.course):
            decision = module_access(request.user, self)
            record_visit = (
                decision.reason == "enrolled"
                and module_visit_needs_recording(request.user, self)
            )
        if not decision.allowed:
            # Never a bare 403: send them to the syllabus, which explains how to get in.
            messages.info(request, decision.message)
            return redirect(self.course.get_url(request))
        if record_visit:
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
