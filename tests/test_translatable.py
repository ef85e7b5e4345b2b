"""Every word a learner reads in a template goes through Django's translation machinery.

The checker blanks out everything a translator cannot or need not see (variables, tags,
comments, {% translate %} and {% blocktranslate %} blocks, scripts and styles), then reads
what is left as HTML: any text node, or any alt/title/aria-label/placeholder value (or the
label of a submit button), that still holds a letter is untranslated copy.
"""

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

LEARNER_TEMPLATE_GLOBS = [
    "courses/templates/courses/**/*.html",
    "courses/templates/courses/**/*.txt",
    "assessments/templates/assessments/**/*.html",
    "assessments/templates/assessments/**/*.txt",
    "templates/*.html",
    "templates/includes/*.html",
    "templates/account/**/*",
    "templates/allauth/**/*",
]

# Trainer and administrator screens live in Wagtail's admin; the issue asks for learner
# templates. (Wagtail's admin has its own translations for its chrome.)
EXCLUDED_FOLDERS = {"admin"}

# Words that are the same in every language, so a translator has nothing to do.
# "KAP" is the product's name for ketamine-assisted psychotherapy; "×" and the like are
# symbols, caught by the letter test anyway, and need no entry.
ALLOWED_TEXT = {
    "KAP",
}

TRANSLATED_BLOCKS = ("blocktranslate", "blocktrans")
# Template blocks whose content is markup, not words: a CSS class for <body>.
MARKUP_BLOCKS = {"body_class"}
BLOCK_NAME = re.compile(r"\{%-?\s*block\s+(\w+)")
TEMPLATE_TOKEN = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)
BLOCK_TAG_NAME = re.compile(r"\{%-?\s*(\w+)")
LETTER = re.compile(r"[^\W\d_]")
VISIBLE_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder"}
BUTTON_INPUT_TYPES = {"submit", "button", "reset"}


def _blank(text: str) -> str:
    """The same number of lines, without the text, so positions still point at the source."""
    return re.sub(r"[^\n]", " ", text)


def strip_template_language(source: str) -> str:
    """Blank every template token and every block whose text is already translatable."""
    out = []
    position = 0
    skipping_until = None
    for match in TEMPLATE_TOKEN.finditer(source):
        before = source[position : match.start()]
        out.append(_blank(before) if skipping_until else before)
        token = match.group(0)
        out.append(_blank(token))
        position = match.end()
        name_match = BLOCK_TAG_NAME.match(token) if token.startswith("{%") else None
        name = name_match.group(1) if name_match else ""
        if skipping_until:
            if name == skipping_until:
                skipping_until = None
        elif name in TRANSLATED_BLOCKS:
            skipping_until = "end" + name
        elif name == "comment":
            skipping_until = "endcomment"
        elif name == "block" and BLOCK_NAME.match(token).group(1) in MARKUP_BLOCKS:
            skipping_until = "endblock"
    rest = source[position:]
    out.append(_blank(rest) if skipping_until else rest)
    return "".join(out)


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._raw_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._raw_depth += 1
        values = dict(attrs)
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.found.append((self.getpos()[0], value))
        if (
            tag == "input"
            and (values.get("type") or "").lower() in BUTTON_INPUT_TYPES
            and values.get("value")
        ):
            self.found.append((self.getpos()[0], values["value"]))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._raw_depth -= 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._raw_depth:
            self._raw_depth -= 1

    def handle_data(self, data):
        if not self._raw_depth:
            self.found.append((self.getpos()[0], data))


def untranslated_text(source: str) -> list[tuple[int, str]]:
    """(line, text) for each piece of visible text a translator never sees."""
    parser = _VisibleText()
    parser.feed(strip_template_language(source))
    parser.close()
    offenders = []
    for line, text in parser.found:
        # A text node's reported line is where it starts; point at its first word.
        leading = text[: len(text) - len(text.lstrip())]
        words = " ".join(html.unescape(text).split())
        if words in ALLOWED_TEXT or not LETTER.search(words):
            continue
        offenders.append((line + leading.count("\n"), words))
    return offenders


def learner_templates() -> list[Path]:
    found = set()
    for pattern in LEARNER_TEMPLATE_GLOBS:
        for path in ROOT.glob(pattern):
            relative = path.relative_to(ROOT)
            if path.is_file() and not EXCLUDED_FOLDERS & set(relative.parts):
                found.add(path)
    return sorted(found)


def test_the_checker_flags_plain_text_and_accepts_translated_text():
    untranslated = '<p title="Close">Hello {{ name }}</p>'
    assert untranslated_text(untranslated) == [(1, "Close"), (1, "Hello")]

    translated = (
        "{% load i18n %}\n"
        '<p title="{% translate "Close" %}">{% translate "Hello" %}</p>\n'
        "{% blocktranslate trimmed with name=user.name %}\n  Hello {{ name }}\n"
        "{% endblocktranslate %}\n"
        "{# a note #}{% comment %}Authoring note{% endcomment %}\n"
        "<script>let words = 'not for learners';</script>\n"
        "<p>{{ count }} &times; 3 &mdash; 12:00</p>\n"
        '<body class="{% block body_class %}account-page{% endblock %}">\n'
    )
    assert untranslated_text(translated) == []


def test_the_checker_reports_the_line_of_each_offender():
    source = '{% load i18n %}\n<p>\n  {% translate "Fine" %}\n</p>\n<img alt="A photo">\n<p>\n  Missed\n</p>'
    assert untranslated_text(source) == [(5, "A photo"), (7, "Missed")]


def test_the_learner_templates_are_found():
    relative = {str(path.relative_to(ROOT)) for path in learner_templates()}
    assert "courses/templates/courses/course_page.html" in relative
    assert "templates/base.html" in relative
    assert not any("/admin/" in path for path in relative)


@pytest.mark.parametrize(
    "template", learner_templates(), ids=lambda path: str(path.relative_to(ROOT))
)
def test_learner_template_text_is_translatable(template):
    offenders = untranslated_text(template.read_text())
    relative = template.relative_to(ROOT)
    assert not offenders, "Untranslated text:\n" + "\n".join(
        f"{relative}:{line}: {text}" for line, text in offenders
    )
