"""Every clinical block renders, and carries what trainers need to pick it."""

import io

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images.models import Image

from courses.blocks import FacultyBlock, ModuleBodyBlock
from tests.embed_finder import TEST_VIDEO_URL

BODY = ModuleBodyBlock()


@pytest.mark.parametrize("name", list(BODY.child_blocks))
def test_block_has_icon_template_description_and_preview(name):
    block = BODY.child_blocks[name]
    assert block.meta.icon and block.meta.icon != "placeholder"
    assert block.meta.template.startswith("courses/blocks/")
    assert block.get_description()
    assert hasattr(block.meta, "preview_value")


def render(name, value):
    block = BODY.child_blocks[name]
    return block.render(block.to_python(value))


def test_rich_text_renders():
    html = render("rich_text", "<p>Ketamine blocks <b>NMDA</b> receptors.</p>")
    assert "<b>NMDA</b>" in html


def test_heading_renders_level_and_anchor():
    block = BODY.child_blocks["heading"]
    html = block.render(
        block.to_python({"text": "Routes", "level": "h3"}), {"anchor": "abc"}
    )
    assert '<h3 class="block-heading" id="section-abc">Routes</h3>' in html


@pytest.mark.django_db
def test_image_renders_with_alt_text_and_caption(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 20), "teal").save(buffer, "PNG")
    image = Image.objects.create(
        title="Diagram",
        file=ImageFile(io.BytesIO(buffer.getvalue()), name="diagram.png"),
    )
    html = render(
        "image",
        {"image": image.pk, "alt_text": "Disinhibition diagram", "caption": "Fig 1"},
    )
    assert 'alt="Disinhibition diagram"' in html
    assert "<figcaption>Fig 1</figcaption>" in html


@pytest.mark.django_db
def test_video_renders_embed_and_transcript():
    html = render(
        "video",
        {"video": TEST_VIDEO_URL, "caption": "Demo", "transcript": "Hello there"},
    )
    assert f'src="{TEST_VIDEO_URL}/embed"' in html
    assert "Show transcript" in html and "Hello there" in html


@pytest.mark.parametrize(
    "kind,label",
    [
        ("pearl", "Clinical pearl"),
        ("safety", "Safety warning"),
        ("evidence", "Evidence note"),
    ],
)
def test_callout_renders_each_kind(kind, label):
    html = render("callout", {"kind": kind, "title": "Heads up", "body": "<p>Body</p>"})
    assert f"callout-{kind}" in html and label in html and "Heads up" in html


def test_reference_shows_grade_and_link():
    html = render(
        "reference",
        {
            "citation": "Feder 2014",
            "url": "https://example.org/f",
            "grade": "H",
            "note": "n=41",
        },
    )
    assert "Evidence H" in html
    assert '<a href="https://example.org/f"' in html and "n=41" in html


def test_case_vignette_hides_discussion_until_revealed():
    html = render(
        "case_vignette",
        {
            "title": "Ms R",
            "scenario": "<p>Scenario text</p>",
            "reflection_questions": ["What would you ask?"],
            "discussion": "<p>Discussion text</p>",
        },
    )
    assert "Scenario text" in html and "What would you ask?" in html
    # <details> is closed by default and opens with the keyboard, no script needed.
    assert '<details class="vignette-discussion">' in html
    assert html.index("<summary>Show discussion notes</summary>") < html.index(
        "Discussion text"
    )


def test_screening_checklist_labels_each_category():
    html = render(
        "screening_checklist",
        {
            "title": "Screen",
            "intro": "",
            "criteria": [
                {"criterion": "Psychosis", "category": "exclusion", "note": "n1"},
                {"criterion": "Hypertension", "category": "clearance", "note": "n2"},
                {"criterion": "Benzodiazepines", "category": "caution", "note": "n3"},
            ],
        },
    )
    for text in (
        "Absolute exclusion",
        "Needs medical clearance",
        "Caution",
        "Psychosis",
    ):
        assert text in html
    assert '<th scope="row">Hypertension</th>' in html


def test_session_timeline_lists_phases():
    html = render(
        "session_timeline",
        {
            "title": "Office session",
            "phases": [
                {
                    "name": "Arrival",
                    "timing": "0-15 min",
                    "therapist_actions": "Check in",
                    "monitoring": "Blood pressure",
                },
                {
                    "name": "Return",
                    "timing": "",
                    "therapist_actions": "Ground",
                    "monitoring": "",
                },
            ],
        },
    )
    assert html.index("Arrival") < html.index("Return")
    assert "0-15 min" in html and "Blood pressure" in html


def test_emdr_map_renders_table_rows():
    html = render(
        "emdr_map",
        {
            "title": "Map",
            "rows": [
                {
                    "emdr_phase": "Phase 2",
                    "kap_stage": "Preparation",
                    "therapist_actions": "RDI",
                }
            ],
        },
    )
    assert '<th scope="col">EMDR phase</th>' in html
    assert '<th scope="row">Phase 2</th>' in html and "Preparation" in html


def test_key_takeaways_lists_items():
    html = render("key_takeaways", {"title": "Key takeaways", "items": ["One", "Two"]})
    assert "<li>One</li>" in html and "<li>Two</li>" in html


def test_faculty_block_renders():
    block = FacultyBlock()
    html = block.render(
        block.to_python({"name": "Dr A", "credentials": "PhD", "bio": "Bio"})
    )
    assert "Dr A" in html and "PhD" in html


def test_every_preview_value_renders():
    for name, block in BODY.child_blocks.items():
        if name in {"image", "video"}:
            continue  # their preview values have no media to show; rendered above with real media
        html = block.render(block.get_preview_value())
        assert html.strip(), name
