"""A simple, documented guard against client identifiers in consultation reflections.

Consultation logs are training records, not clinical records: they must never hold who the
client is. This detector is deliberately simple and errs on the side of asking the learner
to rephrase. It flags:

* a name after a title: "Mr. Lee", "Ms Alvarez", "Mrs. Ito", "Dr. Patel", "Mx. Kim";
* a capitalized name after "client" or "patient": "client Jane", "patient John Smith";
* a date of birth: the words "DOB", "date of birth" or "born on", and any full numeric
  date such as 04/12/1987 or 1987-04-12 (the consultation date has its own field);
* record numbers: "MRN", "medical record", "chart number", "record #", and any run of six
  or more digits;
* phone numbers (555-123-4567, (555) 123 4567) and email addresses.

It cannot recognise every identifier (a first name alone, an unusual place or a rare
diagnosis); the form's warning asks learners to keep reflections de-identified.
"""

import re

PATTERNS = [
    (
        "a name after a title (Mr., Ms., Mrs., Dr., Mx.)",
        re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][a-z]+"),
    ),
    (
        "a name after “client” or “patient”",
        re.compile(
            r"\b(?:[Cc]lient|[Pp]atient)(?:'s)?\s+(?:named\s+|called\s+)?[A-Z][a-z]+\b"
        ),
    ),
    (
        "a date of birth",
        re.compile(
            r"\b(?:DOB|D\.O\.B\.?|date of birth|born on)\b"
            r"|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b",
            re.IGNORECASE,
        ),
    ),
    (
        "a record number",
        re.compile(
            r"\b(?:MRN|medical record|record (?:no\.?|number|#)|chart (?:no\.?|number|#))"
            r"|#\s?\d{3,}|\b\d{6,}\b",
            re.IGNORECASE,
        ),
    ),
    (
        "a phone number",
        re.compile(r"(?:\(\d{3}\)\s?|\b\d{3}[\s.-])\d{3}[\s.-]\d{4}\b"),
    ),
    ("an email address", re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")),
]

GUIDANCE = (
    "Keep reflections de-identified: describe the client without names, dates of birth, "
    "record numbers or contact details (for example “a client in their 40s”)."
)


def client_identifiers(text: str) -> list[str]:
    """What kinds of identifier the text seems to contain, in a fixed order."""
    return [label for label, pattern in PATTERNS if pattern.search(text or "")]


def identifier_message(found: list[str]) -> str:
    return f"This looks like it contains {', '.join(found)}. {GUIDANCE}"
