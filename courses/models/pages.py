"""The page tree: catalogue -> course -> module."""

import hashlib
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks as wagtail_blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.search import index

from .. import conf
from ..blocks import RICH_TEXT_FEATURES, FacultyBlock, ModuleBodyBlock
from ..edit_panels import StudyTimePanel
from ..hooks import (
    COURSE_PAGE_CONTEXT,
    COURSE_PANELS,
    MODULE_EDITOR_PANELS,
    MODULE_PANELS,
    page_context,
    panels,
)
from ..memo import rendering
from .editor import HookPanel
from .publishing import CONFIRM_FIELD, ModulePageForm

CATALOGUE_CARD_RENDITION = "fill-640x320"


def pages_cache_key(pages) -> str:
    """One key for a list of pages: changes when any is published, moved, added, removed
    or reordered. Wagtail's Page.cache_key covers id, URL path and last publication."""
    digest = hashlib.md5(usedforsecurity=False)
    for page in pages:
        digest.update(page.cache_key.encode())
    return digest.hexdigest()


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


def hours_label(hours, approved: bool) -> str:
    """How a course or certificate states its hours: CE only once approved."""
    if not hours:
        return str(_("No CE or contact hours"))
    number = f"{Decimal(hours).normalize():f}"
    unit = "hour" if Decimal(hours) == 1 else "hours"
    if approved:
        return f"{number} CE {unit}"
    return f"{number} contact {unit} (not approved for CE credit)"


# Django's get_FOO_display rebuilds and hashes the translated choices on every call (about
# 40 µs); the syllabus asks once per module on every course page.
DELIVERY_FORMAT_LABELS = dict(DeliveryFormat.choices)
MODULE_KIND_LABELS = dict(ModuleKind.choices)


class RouteCachedRestrictionsMixin:
    """Wagtail's view-restriction check asks, on every request, for the restrictions on
    the page and its ancestors: two queries. A page that comes from courses.page_cache's
    route cache carries the list Wagtail's own method returned when the route was cached;
    a view restriction saved or deleted changes the publish generation, so that list is
    current. Any other page instance asks Wagtail."""

    def get_view_restrictions(self):
        restrictions = self.__dict__.get("_route_cache_view_restrictions")
        if restrictions is None:
            return super().get_view_restrictions()
        return restrictions


class CourseIndexPage(RouteCachedRestrictionsMixin, Page):
    """The catalogue. It owns its listing query."""

    intro = RichTextField(blank=True, features=RICH_TEXT_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = conf.catalogue_parent_page_types()
    subpage_types = ["courses.CoursePage"]
    admin_default_ordering = "ord"  # courses as the catalogue lists them

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        filters = self.filters_from_query(request.GET)
        courses = list(self.listed_courses(**filters))
        context["filters"] = filters
        context["courses"] = courses
        # The cards are cached (public content); any course published, moved or
        # unpublished changes this key.
        context["courses_cache_key"] = pages_cache_key(courses)
        context["topic_choices"] = ModuleKind.choices
        return context

    @staticmethod
    def filters_from_query(query) -> dict:
        """Keep only filter values we understand, so odd query strings never error."""
        topic = query.get("topic", "")
        ce = query.get("ce", "")
        return {
            "topic": topic if topic in ModuleKind.values else "",
            "ce": ce if ce in {"approved", "yes", "no"} else "",
        }

    def listed_courses(self, *, topic: str = "", ce: str = ""):
        courses = CoursePage.objects.child_of(self).live().public().order_by("path")
        if topic:
            # A course's topics are the kinds of its live modules: derived, never
            # stored twice.
            courses = courses.filter(
                Exists(
                    ModulePage.objects.live().filter(
                        kind=topic,
                        path__startswith=OuterRef("path"),
                        depth=OuterRef("depth") + 1,
                    )
                )
            )
        if ce == "approved":
            courses = courses.filter(ce_hours__gt=0, ce_approved=True)
        elif ce == "yes":
            courses = courses.filter(ce_hours__gt=0)
        elif ce == "no":
            courses = courses.filter(ce_hours=0)
        renditions = (
            get_image_model()
            .get_rendition_model()
            .objects.filter(filter_spec=CATALOGUE_CARD_RENDITION)
        )
        # The card image of every course in one query, not one per card.
        return courses.select_related("hero_image").prefetch_related(
            Prefetch(
                "hero_image__renditions",
                queryset=renditions,
                to_attr="prefetched_renditions",
            )
        )


class CoursePage(RouteCachedRestrictionsMixin, Page):
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
        _("hours"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_(
            "The hours the certificate records: CE hours once the course is approved for "
            "CE credit, contact hours until then. Keep it within 10% of the computed "
            "study time below."
        ),
    )
    credit_type = models.CharField(
        max_length=200, blank=True, help_text=_("For example 'APA CE (homestudy)'.")
    )
    accreditation_statement = models.TextField(
        blank=True, help_text=_("The accreditor's exact approval wording.")
    )
    ce_approved = models.BooleanField(
        _("approved for CE credit"),
        default=False,
        help_text=_(
            "Tick only once an accreditor has approved this course for continuing-"
            "education credit and its exact approval wording is in the accreditation "
            "statement. Until then the course page, catalogue, certificate and "
            "transcript show its hours as contact hours, not approved for CE credit."
        ),
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
    consultation_hours_required = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_(
            "Approved consultation hours a learner needs for the certificate; 0 for none."
        ),
    )
    live_hours_required = models.DecimalField(
        _("live contact hours required"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_(
            "Hours of attended live sessions a learner needs for the certificate; 0 for none."
        ),
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
                StudyTimePanel(heading=_("Computed study time")),
                FieldPanel("credit_type"),
                FieldPanel("accreditation_statement"),
                FieldPanel("ce_approved"),
                FieldPanel("certificate_validity_months"),
                FieldPanel("modules_in_order"),
            ],
            heading=_("Price, hours and continuing-education credit"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("consultation_hours_required"),
                FieldPanel("live_hours_required"),
            ],
            heading=_("Training program requirements"),
        ),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("audience"),
    ]

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]
    # The explorer lists modules in syllabus (tree) order, not by last edit.
    admin_default_ordering = "ord"

    class Meta:
        verbose_name = _("course")

    def get_delivery_format_display(self):
        return DELIVERY_FORMAT_LABELS.get(self.delivery_format, self.delivery_format)

    @property
    def is_free(self) -> bool:
        return self.price == 0

    @property
    def awards_ce(self) -> bool:
        """The course records hours on its certificate (approved for CE or not)."""
        return self.ce_hours > 0

    @property
    def grants_ce_credit(self) -> bool:
        return self.awards_ce and self.ce_approved

    @property
    def hours_label(self) -> str:
        return hours_label(self.ce_hours, self.ce_approved)

    def clean(self):
        super().clean()
        if self.ce_approved and not self.accreditation_statement.strip():
            raise ValidationError(
                {
                    "ce_approved": _(
                        "Add the accreditor's exact approval wording to the "
                        "accreditation statement before marking the course approved."
                    )
                }
            )

    @cached_property
    def study_time(self):
        """Computed from the live modules' content and the quizzes: see study_time.py."""
        from ..study_time import course_study_time

        return course_study_time(self).total

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

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        with rendering(self):
            # Learner state first (courses' own hook, courses.wagtail_hooks): for an
            # enrolled learner it loads the module list and their progress in one query.
            context.update(page_context(COURSE_PAGE_CONTEXT, request, self))
            context["modules"] = self.modules
            context["course_panels"] = panels(COURSE_PANELS, request, self)
        context["reading_rate"] = conf.reading_words_per_minute()
        # The public syllabus fragment is cached; publishing, moving or unpublishing a
        # module changes this key (the page's own key covers the course's fields).
        context["modules_cache_key"] = pages_cache_key(self.modules)
        if context.get("can_open_modules"):
            # A learner's syllabus (links, completion, locks) is shared by every learner
            # with the same progress on the same published modules.
            progress = context.get("progress") or {}
            state = (
                sorted(progress.get("completed_ids", ())),
                sorted(context.get("locked_ids", ())),
                sorted((context.get("release_locks") or {}).items()),
                sorted(m.pk for m in progress.get("added_modules", ())),
            )
            context["syllabus_state_key"] = hashlib.md5(
                repr(state).encode(), usedforsecurity=False
            ).hexdigest()
        return context


class ModulePage(RouteCachedRestrictionsMixin, Page):
    kind = models.CharField(
        max_length=20, choices=ModuleKind.choices, default=ModuleKind.OTHER
    )
    summary = models.TextField(blank=True)
    learning_objectives = objectives_field()
    estimated_minutes = models.PositiveIntegerField(
        default=30,
        help_text=_(
            "Shown to learners. Keep it close to the computed study time below; a figure "
            "more than 10% above it is flagged."
        ),
    )
    release_after_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "Open this module N days after the learner's cohort starts (or after they "
            "enroll, if they study self-paced). Empty: open from enrollment."
        ),
    )
    body = StreamField(ModuleBodyBlock(), blank=True)

    content_panels = [
        FieldPanel(CONFIRM_FIELD, heading=_("Learners are enrolled in this course")),
        *Page.content_panels,
        FieldRowPanel([FieldPanel("kind"), FieldPanel("estimated_minutes")]),
        FieldPanel("release_after_days"),
        StudyTimePanel(heading=_("Computed study time")),
        FieldPanel("summary"),
        FieldPanel("learning_objectives"),
        FieldPanel("body"),
        HookPanel(MODULE_EDITOR_PANELS, heading=_("Quiz")),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("kind"),
    ]

    parent_page_types = ["courses.CoursePage"]
    subpage_types = []
    base_form_class = ModulePageForm
    # Gated (courses.wagtail_hooks): never shared through courses.page_cache.
    page_cache = False

    class Meta:
        verbose_name = _("module")

    def get_kind_display(self):
        return MODULE_KIND_LABELS.get(self.kind, self.kind)

    @cached_property
    def course(self) -> CoursePage:
        return self.get_parent().specific

    # Who may open a module is decided before it is served, by courses.wagtail_hooks
    # (before_serve_page), so this model never imports the access and progress layers.

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["module_panels"] = panels(MODULE_PANELS, request, self)
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
        """(anchor, text, level) for each heading block, for the in-page contents list,
        then the reference list that ends every module page."""
        return [
            (block.id, block.value["text"], block.value["level"])
            for block in self.body
            if block.block_type == "heading"
        ] + [("references", _("References"), "h2")]

    @cached_property
    def footnoted_body(self):
        """The body with reference blocks turned into footnote markers and one list."""
        from ..footnotes import footnoted_body

        return footnoted_body(self.body)
