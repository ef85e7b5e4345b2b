"""StreamField blocks for clinical teaching.

Every block has an icon, a template, a description and a preview value, so trainers can see
in the block picker what each one produces before they add it.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from .evidence import EVIDENCE_GRADE_CHOICES, EVIDENCE_GRADE_HELP

RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link", "superscript"]

CALLOUT_KINDS = [
    ("pearl", _("Clinical pearl")),
    ("safety", _("Safety warning")),
    ("evidence", _("Evidence note")),
]

CHECKLIST_CATEGORIES = [
    ("exclusion", _("Absolute exclusion")),
    ("clearance", _("Needs medical clearance")),
    ("caution", _("Caution")),
]


class RichTextBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        template = "courses/blocks/rich_text.html"
        description = _("Paragraphs of teaching text with lists and links.")
        preview_value = (
            "<p>Ketamine is a <b>non-competitive NMDA-receptor antagonist</b>. "
            "It acts on the glutamate system rather than on monoamines.</p>"
        )


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=160)
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Section heading")), ("h3", _("Sub-heading"))], default="h2"
    )

    class Meta:
        icon = "title"
        template = "courses/blocks/heading.html"
        description = _("A section heading; it also appears in the module's contents.")
        preview_value = {"text": "How the disinhibition model works", "level": "h2"}


class ImageWithCaptionBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        max_length=250,
        required=False,
        help_text=_(
            "Describe the image for screen-reader users; leave empty if decorative."
        ),
    )
    caption = blocks.CharBlock(max_length=300, required=False)

    class Meta:
        icon = "image"
        template = "courses/blocks/image.html"
        description = _(
            "An image from the library, with alt text and an optional caption."
        )
        preview_value = {"alt_text": "", "caption": "Figure: the disinhibition model."}


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(help_text=_("A YouTube or Vimeo address."))
    caption = blocks.CharBlock(max_length=300, required=False)
    transcript = blocks.TextBlock(
        required=False,
        help_text=_("A text transcript, shown on request, for accessibility."),
    )
    duration_minutes = blocks.DecimalBlock(
        required=False,
        min_value=0,
        max_digits=5,
        decimal_places=1,
        label=_("Duration (minutes)"),
        help_text=_(
            "The video's running time. It counts toward the module's computed study "
            "time and so toward the hours the course may claim."
        ),
    )

    class Meta:
        icon = "media"
        template = "courses/blocks/video.html"
        description = _("An embedded video with a caption and transcript.")
        preview_value = {
            "caption": "Demonstration: opening a preparation session.",
            "transcript": "Therapist: Before we begin, let's revisit your intention...",
        }


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(choices=CALLOUT_KINDS, default="pearl")
    title = blocks.CharBlock(max_length=160)
    body = RichTextBlock()

    class Meta:
        icon = "warning"
        template = "courses/blocks/callout.html"
        description = _(
            "A highlighted clinical pearl, safety warning or evidence note."
        )
        preview_value = {
            "kind": "safety",
            "title": "Dosing belongs to the prescriber",
            "body": "<p>A non-prescribing therapist never changes a dose. "
            "Escalate medical concerns to the prescriber.</p>",
        }


class ReferenceBlock(blocks.StructBlock):
    citation = blocks.CharBlock(max_length=400)
    url = blocks.URLBlock(required=False)
    grade = blocks.ChoiceBlock(
        choices=EVIDENCE_GRADE_CHOICES,
        default="M",
        label=_("Evidence grade"),
        help_text=EVIDENCE_GRADE_HELP,
    )
    note = blocks.CharBlock(max_length=300, required=False)

    class Meta:
        icon = "link"
        template = "courses/blocks/reference.html"
        description = _(
            "The source of the claim above it, with its evidence grade. On the module "
            "page it becomes a numbered footnote marker after that claim and an entry in "
            "the module's reference list."
        )
        preview_value = {
            "citation": "Feder A, et al. JAMA Psychiatry. 2014;71(6):681-688.",
            "url": "https://jamanetwork.com/journals/jamapsychiatry/fullarticle/1860851",
            "grade": "H",
            "note": "Single IV infusion, n=41.",
        }


class CaseVignetteBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=160)
    scenario = RichTextBlock()
    reflection_questions = blocks.ListBlock(blocks.CharBlock(max_length=400))
    discussion = RichTextBlock(
        help_text=_("Discussion notes; learners reveal them after they have reflected.")
    )

    class Meta:
        icon = "user"
        template = "courses/blocks/case_vignette.html"
        description = _(
            "A clinical scenario with reflection questions and hidden discussion notes."
        )
        preview_value = {
            "title": "A client who read that ketamine 'resets the brain'",
            "scenario": "<p>Ms. R., 42, asks whether one session will reset her brain.</p>",
            "reflection_questions": ["How would you describe the mechanism honestly?"],
            "discussion": "<p>Present the disinhibition model as a hypothesis.</p>",
        }


class ChecklistCriterionBlock(blocks.StructBlock):
    criterion = blocks.CharBlock(max_length=250)
    category = blocks.ChoiceBlock(choices=CHECKLIST_CATEGORIES, default="caution")
    note = blocks.TextBlock(required=False)

    class Meta:
        icon = "tick"


class ScreeningChecklistBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=160)
    intro = blocks.TextBlock(required=False)
    criteria = blocks.ListBlock(ChecklistCriterionBlock())

    class Meta:
        icon = "list-ul"
        template = "courses/blocks/screening_checklist.html"
        description = _(
            "Screening criteria, each marked absolute exclusion, needs medical clearance "
            "or caution."
        )
        preview_value = {
            "title": "Medical and psychiatric screen",
            "intro": "The prescriber makes the medical decision.",
            "criteria": [
                {
                    "criterion": "Primary psychotic disorder",
                    "category": "exclusion",
                    "note": "Consistently excluded by KAP programs.",
                },
                {
                    "criterion": "Uncontrolled hypertension",
                    "category": "clearance",
                    "note": "Ketamine raises blood pressure transiently.",
                },
            ],
        }


class TimelinePhaseBlock(blocks.StructBlock):
    name = blocks.CharBlock(max_length=160)
    timing = blocks.CharBlock(max_length=80, required=False)
    therapist_actions = blocks.TextBlock()
    monitoring = blocks.TextBlock(required=False)

    class Meta:
        icon = "time"


class SessionTimelineBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=160)
    phases = blocks.ListBlock(TimelinePhaseBlock())

    class Meta:
        icon = "time"
        template = "courses/blocks/session_timeline.html"
        description = _(
            "The phases of a session with timing, therapist actions and monitoring."
        )
        preview_value = {
            "title": "A typical office session",
            "phases": [
                {
                    "name": "Arrival and check-in",
                    "timing": "0-15 min",
                    "therapist_actions": "Revisit the intention; confirm the ride home.",
                    "monitoring": "Baseline blood pressure and heart rate.",
                }
            ],
        }


class EmdrPairingRowBlock(blocks.StructBlock):
    emdr_phase = blocks.CharBlock(max_length=160, label=_("EMDR phase"))
    kap_stage = blocks.CharBlock(max_length=160, label=_("KAP stage"))
    therapist_actions = blocks.TextBlock()

    class Meta:
        icon = "arrows-up-down"


class EmdrPairingMapBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=160)
    rows = blocks.ListBlock(EmdrPairingRowBlock())

    class Meta:
        icon = "table"
        template = "courses/blocks/emdr_map.html"
        description = _(
            "How EMDR phases map onto KAP stages, with what the therapist does."
        )
        preview_value = {
            "title": "EMDR phases across a KAP course of care",
            "rows": [
                {
                    "emdr_phase": "Phases 1-2: History and preparation",
                    "kap_stage": "Preparation",
                    "therapist_actions": "Resource development before any dosing.",
                }
            ],
        }


class KeyTakeawaysBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=160, default="Key takeaways")
    items = blocks.ListBlock(blocks.CharBlock(max_length=400))

    class Meta:
        icon = "pick"
        template = "courses/blocks/key_takeaways.html"
        description = _("A short list of what learners should remember.")
        preview_value = {
            "title": "Key takeaways",
            "items": [
                "Ketamine blocks NMDA receptors.",
                "The disinhibition model is a preclinical hypothesis.",
            ],
        }


class ModuleBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    rich_text = RichTextBlock()
    image = ImageWithCaptionBlock()
    video = VideoBlock()
    callout = CalloutBlock()
    reference = ReferenceBlock()
    case_vignette = CaseVignetteBlock()
    screening_checklist = ScreeningChecklistBlock()
    session_timeline = SessionTimelineBlock()
    emdr_map = EmdrPairingMapBlock(label="EMDR-pairing map")
    key_takeaways = KeyTakeawaysBlock()


class FacultyBlock(blocks.StructBlock):
    name = blocks.CharBlock(max_length=160)
    credentials = blocks.CharBlock(max_length=160, required=False)
    bio = blocks.TextBlock(required=False)
    photo = ImageChooserBlock(required=False)

    class Meta:
        icon = "user"
        template = "courses/blocks/faculty.html"
        description = _("A faculty member with credentials and a short biography.")
        preview_value = {
            "name": "Dr. Maya Okafor",
            "credentials": "PhD, licensed psychologist",
            "bio": "Twelve years in trauma-focused psychotherapy.",
        }
