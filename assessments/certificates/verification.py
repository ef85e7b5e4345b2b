"""Public look-ups by certificate code: what a code may look like, and how often."""

import re

from courses.throttles import rate_limited

from .. import conf

CODE_MAX_LENGTH = 40
# Codes are upper-case hex today; any letters and digits are accepted so older or imported
# codes still verify. Anything else cannot be a code, and never reaches a query or a URL.
CODE_PATTERN = re.compile(rf"[A-Z0-9]{{1,{CODE_MAX_LENGTH}}}")


def normalise_code(raw: str) -> str | None:
    """The code as typed from a printed certificate (any case, spaces or dashes), or None
    when it cannot be a code."""
    code = raw.strip().upper().replace(" ", "").replace("-", "")
    return code if CODE_PATTERN.fullmatch(code) else None


def lookups_throttled(request) -> bool:
    """The verification page and the credential status share one budget per client, so
    neither can be used to test codes faster than the other."""
    limit, window = conf.verification_rate_limit()
    return rate_limited(request, "certificate-lookup", limit=limit, window=window)
