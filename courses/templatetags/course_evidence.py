"""Evidence grades and footnotes in templates."""

from django import template

from ..evidence import GRADES, grade_summary
from ..footnotes import append_inline

register = template.Library()


@register.simple_tag
def with_footnotes(html, markers=""):
    """Rendered rich text with footnote markers inside its last paragraph. A tag, not a
    filter: outside a module page `markers` is simply not in the context."""
    return append_inline(html, markers or "")


@register.filter
def evidence_grade_summary(code):
    """'High: systematic review, ...' for a grade code."""
    return grade_summary(code)


@register.simple_tag
def evidence_grades():
    return GRADES
