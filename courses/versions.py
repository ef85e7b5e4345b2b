"""Version tokens in the cache: how the plugin's caches forget.

A cached thing (an anonymous page, a learner's record, a quiz's question pool) is stored
with the token it was built under and used only while the token is unchanged. A writer
replaces the token once its transaction commits, so every copy built before the change
becomes a miss at once, wherever it is stored. A token that was evicted is started again:
a new random token matches nothing stored.
"""

import secrets

from django.core.cache import cache
from django.db import connection, transaction


def new_token() -> str:
    return secrets.token_hex(8)


def current(key: str, token: str | None, timeout: int | None = None) -> str:
    """The token under `key`, given what a read (often a get_many with the entries)
    returned for it; started if it was missing."""
    if token is None:
        cache.add(key, new_token(), timeout)
        token = cache.get(key)
    return token


def read(key: str, timeout: int | None = None) -> str:
    return current(key, cache.get(key), timeout)


def replace_after_commit(key: str, *, timeout: int | None = None, then=None) -> None:
    """Replace the token when the current transaction commits (at once outside one), then
    call `then`; once per key and transaction, however many rows it wrote. Inside a test
    case, whose transaction never commits, the token is replaced at once as well."""
    replace = _Replace(key, timeout, then)
    # Django drops a rolled-back savepoint's callbacks from this list, so one found here
    # still runs if this change commits.
    if all(queued != replace for _, queued, _ in connection.run_on_commit):
        transaction.on_commit(replace)
    if in_a_test_case():
        cache.set(key, new_token(), timeout)


class _Replace:
    def __init__(self, key: str, timeout: int | None, then):
        self.key, self.timeout, self.then = key, timeout, then

    def __call__(self) -> None:
        cache.set(self.key, new_token(), self.timeout)
        if self.then is not None:
            self.then()

    def __eq__(self, other) -> bool:
        return isinstance(other, _Replace) and other.key == self.key

    __hash__ = None


def in_a_test_case() -> bool:
    """Inside a Django test case's own transaction, which never commits, so on_commit
    callbacks never run there (the same mark Django's durable check reads)."""
    blocks = connection.atomic_blocks
    return bool(blocks) and blocks[0]._from_testcase
