"""Facts several panels of one page need, computed once while that page renders.

Memoisation is on only inside `rendering(page)`, which the page's get_context opens and
closes, so a service or a later read in the same request never sees a stale answer.
"""

from contextlib import contextmanager

_MEMO = "_render_memo"


@contextmanager
def rendering(page):
    page.__dict__[_MEMO] = {}
    try:
        yield
    finally:
        page.__dict__.pop(_MEMO, None)


def on_page(page, key, compute):
    memo = page.__dict__.get(_MEMO)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def remember(page, key, value) -> None:
    """Give the render an answer already known (a list page that read it for many pages)."""
    memo = page.__dict__.get(_MEMO)
    if memo is not None:
        memo[key] = value


def recalled(page, key):
    """What the current render already knows under `key`, or None."""
    memo = page.__dict__.get(_MEMO)
    return None if memo is None else memo.get(key)
