"""Reference blocks as numbered footnotes.

Trainers add a reference block after the paragraph or block whose claim it supports. On the
module page that block becomes a superscript marker at the end of the block before it, and
every source is listed once, numbered in order of first use, in the module's reference list.
The same source cited twice keeps its first number; the list entry links back to every
place it is cited.
"""

import re
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .evidence import grade_summary

# Blocks whose text ends in a paragraph: the marker goes inside that last paragraph.
INLINE_MARKER_BLOCKS = {"rich_text", "callout"}
# A reference right after these is not about them; its marker stands on its own line.
NOT_A_CLAIM_BLOCKS = {"heading"}


@dataclass
class Marker:
    number: int
    id: str


@dataclass
class Footnote:
    number: int
    citation: str
    url: str
    grade: str
    notes: list[str] = field(default_factory=list)
    marker_ids: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"fn-{self.number}"

    @property
    def grade_summary(self) -> str:
        return grade_summary(self.grade)


@dataclass
class BodyItem:
    block: object  # a StreamChild, or None for markers with no block before them
    markers: list[Marker] = field(default_factory=list)

    @property
    def markers_html(self) -> SafeString:
        return markers_html(self.markers)

    @property
    def inline_markers(self) -> SafeString:
        if self.block is not None and self.block.block_type in INLINE_MARKER_BLOCKS:
            return self.markers_html
        return mark_safe("")

    @property
    def trailing_markers(self) -> SafeString:
        if self.block is None or self.block.block_type not in INLINE_MARKER_BLOCKS:
            return self.markers_html
        return mark_safe("")


@dataclass
class FootnotedBody:
    items: list[BodyItem]
    references: list[Footnote]


def markers_html(markers: list[Marker]) -> SafeString:
    return format_html_join(
        "",
        '<sup class="footnote-ref"><a id="{}" href="#fn-{}" aria-label="Reference {}">'
        "[{}]</a></sup>",
        ((m.id, m.number, m.number, m.number) for m in markers),
    )


def _source_key(value) -> tuple[str, str]:
    citation = " ".join(str(value.get("citation", "")).split()).casefold()
    return citation, str(value.get("url") or "").strip()


def footnoted_body(body) -> FootnotedBody:
    items: list[BodyItem] = []
    references: dict[tuple[str, str], Footnote] = {}
    for block in body:
        if block.block_type != "reference":
            items.append(BodyItem(block))
            continue
        value = block.value
        key = _source_key(value)
        footnote = references.get(key)
        if footnote is None:
            footnote = Footnote(
                number=len(references) + 1,
                citation=value.get("citation", ""),
                url=value.get("url") or "",
                grade=value.get("grade", ""),
            )
            references[key] = footnote
        note = (value.get("note") or "").strip()
        if note and note not in footnote.notes:
            footnote.notes.append(note)
        marker = Marker(
            footnote.number, f"fnref-{footnote.number}-{len(footnote.marker_ids) + 1}"
        )
        footnote.marker_ids.append(marker.id)
        last = items[-1] if items else None
        if last is None or (
            last.block is not None and last.block.block_type in NOT_A_CLAIM_BLOCKS
        ):
            last = BodyItem(None)
            items.append(last)
        last.markers.append(marker)
    return FootnotedBody(items=items, references=list(references.values()))


_LAST_PARAGRAPH_END = re.compile(r"</(p|li)>(\s*</(ul|ol)>)?\s*$")


def append_inline(html, markers: SafeString) -> SafeString:
    """Put the markers inside the last paragraph (or list item) of `html`."""
    html = str(html)
    if not markers:
        return mark_safe(html)
    match = _LAST_PARAGRAPH_END.search(html)
    if match is None:
        return mark_safe(html) + format_html('<p class="footnote-line">{}</p>', markers)
    return mark_safe(html[: match.start()] + str(markers) + html[match.start() :])
