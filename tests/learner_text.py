"""What a learner reads, pulled out of HTML and templates, and the rules it must meet.

Used by the shipped-content tests: no authoring notes, US English, and primary sources
behind every reference graded H.
"""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

# Authoring provenance that must never reach a learner.
AUTHORING_MARKERS = [
    re.compile(r"\bseed", re.I),
    re.compile(r"S00[0-9]"),
    re.compile(r"NOT VERIFIED"),
    re.compile(r"ResearchGate", re.I),
    re.compile(r"exact page not recorded", re.I),
    re.compile(r"do not repeat them", re.I),
    re.compile(r"correction #", re.I),
    re.compile(r"course seed file", re.I),
]

# British spellings, for US clinicians' product copy. "enrol" but not "enroll(ment)",
# "organis" but not "organism".
BRITISH_SPELLINGS = [
    re.compile(pattern, re.I)
    for pattern in (
        r"anaesthe",
        r"licence",
        r"counsellor",
        r"haemorrhage",
        r"\benrol(?!l)",
        r"programme",
        r"behaviour",
        r"centre",
        r"colour",
        r"paediatric",
        r"judgement",
        r"organis(?!m)",
        r"recognis",
        r"authoris",
        r"practis",
    )
]

# Not primary sources: clinic and practice sites, training-program pages, blogs,
# aggregators and press releases. A reference graded H never points here.
NON_PRIMARY_DOMAINS = [
    "wcmedicine.com",
    "primidi.com",
    "openscience.ink",
    "onlinemedicaltools.com",
    "docksci.com",
    "amywaldronphd.com",
    "counselnature.com",
    "psyon.cz",
    "resident.com",
    "authenticroots.org",
    "balancehealthandhealing.com",
    "sageintegrativehealth.org",
    "fluencetraining.com",
    "polarisinsight.com",
    "theketaminetrainingcenter.com",
    "prnewswire.com",
]
NON_PRIMARY_NAME_PARTS = ["impactinfusions", "centeredketamine"]


def non_primary_reason(url: str) -> str:
    """Why this address cannot carry an H grade, or "" if it may."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    for domain in NON_PRIMARY_DOMAINS:
        if host == domain or host.endswith("." + domain):
            return f"{host} is not a primary source"
    for part in NON_PRIMARY_NAME_PARTS:
        if part in host:
            return f"{host} is a clinic or training site"
    if host.endswith(".blog") or ".blog." in host or host.startswith("blog."):
        return f"{host} is a blog"
    if parts.path in ("", "/") and not parts.query:
        return f"{url} is a bare home page, not the source itself"
    return ""


class _TextExtractor(HTMLParser):
    """Visible text and the attributes a reader meets (alt, title, aria-label,
    placeholder, button values), skipping scripts, styles and `skip_classes`."""

    READ_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder"}
    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col"}

    def __init__(self, skip_classes=()):
        super().__init__(convert_charrefs=True)
        self.skip_classes = set(skip_classes)
        self.parts: list[str] = []
        self.hrefs: list[str] = []
        self.stack: list[bool] = []  # per open element: is its content skipped?

    def _skipping(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        skipped = tag in {"script", "style"} or bool(classes & self.skip_classes)
        if not self._skipping() and not skipped:
            for name, value in attrs.items():
                if value and (
                    name in self.READ_ATTRIBUTES
                    or (name == "value" and attrs.get("type") in {"submit", "button"})
                ):
                    self.parts.append(value)
            if attrs.get("href"):
                self.hrefs.append(attrs["href"])
        if tag not in self.VOID:
            self.stack.append(skipped)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)


def visible_text(html: str, *, skip_classes=()) -> tuple[str, list[str]]:
    parser = _TextExtractor(skip_classes)
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split()), parser.hrefs


def main_content(html: str) -> str:
    """The page's <main>, where module and course content is."""
    match = re.search(r"<main\b.*?</main>", html, re.S)
    return match.group(0) if match else html


_TEMPLATE_COMMENT = re.compile(
    r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S
)
_TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
_QUOTED = re.compile(r"\"([^\"]*)\"|'([^']*)'")


def template_text(path: Path) -> str:
    """The words a template itself puts in front of a reader: its text and readable
    attributes, and quoted prose passed to tags (a heading's title="..."), without
    template code, variable names, CSS classes or URLs."""
    source = _TEMPLATE_COMMENT.sub(" ", path.read_text(encoding="utf-8"))
    prose = []
    for tag in _TEMPLATE_TAG.findall(source):
        for double, single in _QUOTED.findall(tag):
            literal = double or single
            if " " in literal.strip() and "/" not in literal:
                prose.append(literal)
    stripped = _TEMPLATE_TAG.sub(" ", source)
    if path.suffix == ".txt":
        text = stripped
    else:
        text, _ = visible_text(stripped)
    return " ".join([text, *prose])


def findings(text: str, patterns) -> list[str]:
    found = []
    for pattern in patterns:
        for match in pattern.finditer(text):
            found.append(text[max(0, match.start() - 50) : match.end() + 30])
    return found
