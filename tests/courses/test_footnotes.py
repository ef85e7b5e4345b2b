"""Reference blocks render as numbered footnotes with one reference list per module."""

import re

import pytest

from courses.blocks import ModuleBodyBlock
from courses.evidence import EVIDENCE_GRADE_CHOICES, EVIDENCE_GRADE_HELP, GRADES
from courses.footnotes import footnoted_body
from courses.models import ModulePage
from tests.conftest import publish_child

FEDER = "Feder A, et al. FOCUS. 2023."


def ref(citation, grade="H", note="", url=""):
    return {
        "type": "reference",
        "value": {"citation": citation, "url": url, "grade": grade, "note": note},
    }


BODY = [
    {"type": "heading", "value": {"text": "History", "level": "h2"}},
    {"type": "rich_text", "value": "<p>First approved as an anesthetic.</p>"},
    ref(FEDER, note="First FDA approval.", url="https://example.org/feder"),
    {"type": "rich_text", "value": "<p>Acts on NMDA receptors.</p><p>Second.</p>"},
    ref("Zanos P, Gould TD. Mol Psychiatry. 2018.", grade="M"),
    ref(FEDER, note="NMDA antagonism.", url="https://example.org/feder"),
    {
        "type": "callout",
        "value": {"kind": "safety", "title": "Escalate", "body": "<p>Call them.</p>"},
    },
    ref("Practice opinion, 2024.", grade="L"),
    {"type": "heading", "value": {"text": "Screening", "level": "h2"}},
    ref("A source right after a heading.", grade="M"),
    {
        "type": "key_takeaways",
        "value": {"title": "Key takeaways", "items": ["Plain text."]},
    },
    ref("Takeaway source.", grade="H"),
]


def stream(raw):
    block = ModuleBodyBlock()
    return block.to_python(
        [{**item, "id": f"b{index}"} for index, item in enumerate(raw)]
    )


def test_sources_are_numbered_in_order_of_first_use_and_reused():
    body = footnoted_body(stream(BODY))
    numbers = [(r.number, r.citation, r.grade) for r in body.references]
    assert numbers == [
        (1, FEDER, "H"),
        (2, "Zanos P, Gould TD. Mol Psychiatry. 2018.", "M"),
        (3, "Practice opinion, 2024.", "L"),
        (4, "A source right after a heading.", "M"),
        (5, "Takeaway source.", "H"),
    ]
    feder = body.references[0]
    assert feder.notes == ["First FDA approval.", "NMDA antagonism."]
    assert feder.marker_ids == ["fnref-1-1", "fnref-1-2"]
    # The markers sit on the block before them; no reference block is rendered itself.
    marked = [
        (
            item.block.block_type if item.block else None,
            [m.number for m in item.markers],
        )
        for item in body.items
    ]
    assert marked == [
        ("heading", []),
        ("rich_text", [1]),
        ("rich_text", [2, 1]),
        ("callout", [3]),
        ("heading", []),
        (None, [4]),
        ("key_takeaways", [5]),
    ]


@pytest.fixture
def module_with_references(course):
    return publish_child(
        course,
        ModulePage(
            title="Footnoted module",
            slug="footnoted",
            kind="mechanism",
            body=[{**item, "id": f"b{index}"} for index, item in enumerate(BODY)],
        ),
    )


def test_module_page_renders_markers_and_one_reference_list(
    client, admin_user, module_with_references
):
    client.force_login(admin_user)
    html = client.get(module_with_references.url).content.decode()

    # A marker is a superscript link inside the paragraph it supports, labeled for
    # screen readers, pointing at its entry.
    assert (
        '<p>First approved as an anesthetic.<sup class="footnote-ref">'
        '<a id="fnref-1-1" href="#fn-1" aria-label="Reference 1">[1]</a></sup></p>'
    ) in html
    assert re.search(
        r'<p>Second\.<sup class="footnote-ref"><a id="fnref-2-1" href="#fn-2" '
        r'aria-label="Reference 2">\[2\]</a></sup><sup class="footnote-ref">'
        r'<a id="fnref-1-2" href="#fn-1" aria-label="Reference 1">\[1\]</a></sup></p>',
        html,
    )
    assert '<p>Call them.<sup class="footnote-ref"><a id="fnref-3-1"' in html
    # The reference blocks' own rendering (stacked between paragraphs) is gone.
    assert 'class="reference"' not in html

    references = html.split('<section class="references"', 1)[1]
    assert html.count('<section class="references"') == 1
    assert '<h2 id="section-references">References</h2>' in references
    entries = re.findall(r'<li id="fn-(\d+)">(.*?)</li>', references, re.S)
    assert [number for number, _ in entries] == ["1", "2", "3", "4", "5"]
    first = entries[0][1]
    assert (
        f'<a href="https://example.org/feder" rel="noopener noreferrer">{FEDER}</a>'
        in first
    )
    assert "Evidence H" in first and 'href="#evidence-grades"' in first
    assert "First FDA approval." in first and "NMDA antagonism." in first
    assert 'href="#fnref-1-1"' in first and 'href="#fnref-1-2"' in first
    assert "Evidence L" in entries[2][1]
    # Every marker id exists once, and every back-link points at one.
    marker_ids = re.findall(r'<a id="(fnref-[\d-]+)"', html)
    assert len(marker_ids) == len(set(marker_ids)) == 6
    for target in re.findall(r'href="#(fnref-[\d-]+)"', references):
        assert target in marker_ids


def test_every_module_page_shows_the_grade_legend(client, admin_user, course):
    client.force_login(admin_user)
    html = client.get(course.modules[0].url).content.decode()
    assert 'href="#evidence-grades"' in html  # the short key under the title
    legend = html.split('id="evidence-grades"', 1)[1].split("</dl>", 1)[0]
    for grade in GRADES:
        assert f"{grade.name}</dt>" in legend
    assert "Systematic review, randomized trial, or a regulator" in legend
    assert (
        "Observational study, professional guideline or consensus statement" in legend
    )
    assert "Case series, chart review, expert or practice opinion" in legend


def test_grades_are_defined_once_for_the_admin():
    reference_block = ModuleBodyBlock().child_blocks["reference"]
    grade = reference_block.child_blocks["grade"]
    choices = [(code, str(label)) for code, label in grade.field.choices]
    assert choices == [(code, str(label)) for code, label in EVIDENCE_GRADE_CHOICES]
    assert [code for code, _ in choices] == ["H", "M", "L"]
    assert "randomized trial" in str(grade.field.help_text)
    assert str(grade.field.help_text) == str(EVIDENCE_GRADE_HELP)
    from assessments.models import Question

    field = Question._meta.get_field("reference_grade")
    assert str(field.help_text) == str(EVIDENCE_GRADE_HELP)
