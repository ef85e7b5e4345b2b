"""One cached record per (learner, course): what course and module pages need to know.

The record holds the enrolment, the learner's progress in the course's modules, their
professional profile, and what other apps add through the `courses_learner_state` hook
(assessments adds its quiz states: attempt counts, best score, passed, the open attempt,
never a snapshot; and the certificate and course evaluation). Pages
read it with one cache lookup instead of running the access and progress queries.

Freshness. Every writer of those rows (the services) calls `changed()`, which replaces the
learner's *version* (courses.versions) when the transaction commits. A record is used only
under the version it was built under, and the version is read before the rows are, so a
record built from rows older than a change is never used after it: revoking an enrolment
takes effect on the next request. The version is per learner, not per course, so a writer
needs no query to find the course; a learner's other courses rebuild once, which is cheap
and rare. A write transaction never reads the cache and never stores what it reads (it
may still roll back): services see the database as it is.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.utils.functional import cached_property

from . import versions
from .hooks import learner_state_extras
from .memo import on_page, recalled
from .models import ACCESS_STATUSES, Enrolment, LearnerProfile, ModuleProgress

STATE_KEY = "courses:learner-state:{user}:{course}"
VERSION_KEY = "courses:learner-state-version:{user}"
TIMEOUT = 60 * 60 * 24


class ProgressRead(dict):
    """Progress a page read for many courses at once (the dashboard), with the learner's
    version read before it, so that a record built from it may be stored under that
    version."""

    def __init__(self, rows, *, read_under: str | None):
        super().__init__(rows)
        self.read_under = read_under


class LearnerState:
    # Set when a fact came from the render's memo rather than from the database: such a
    # record is stored only under the version that fact was read under.
    borrowed = False
    borrowed_under = None

    def __init__(self, *, enrolment=None, progress=None, profile=None, extras=None):
        self.enrolment: Enrolment | None = enrolment
        self.profile: LearnerProfile | None = profile
        # module id -> (completed_at, last_visited_at), for every module opened
        self.progress: dict = progress or {}
        # what the courses_learner_state hooks added, by the key each returned
        self.extras: dict = extras or {}

    @property
    def enrolled(self) -> bool:
        return bool(self.enrolment and self.enrolment.status in ACCESS_STATUSES)

    @property
    def completed_module_ids(self) -> set[int]:
        """Completed modules among the course's live ones (progress covers only those)."""
        return {pk for pk, (done, _visited) in self.progress.items() if done}


ANONYMOUS = LearnerState()
_FRESH = ContextVar("courses_learner_state_fresh", default=None)


@contextmanager
def fresh():
    """Reads inside ask the database (each fact once), as a write transaction's do: for
    a request that is about to write, before its service opens the transaction."""
    token = _FRESH.set({} if _FRESH.get() is None else _FRESH.get())
    try:
        yield
    finally:
        _FRESH.reset(token)


def get(user, course) -> LearnerState:
    """This learner's state in this course; once per page render (courses.memo)."""
    if not user.is_authenticated:
        return ANONYMOUS
    if in_write_transaction():
        return DatabaseState(user, course)
    read = _FRESH.get()
    if read is not None:
        key = (user.pk, course.pk)
        if key not in read:
            read[key] = DatabaseState(user, course)
        return read[key]
    return on_page(course, ("learner_state", user.pk), lambda: _cached(user, course))


def _cached(user, course) -> LearnerState:
    state_key = STATE_KEY.format(user=user.pk, course=course.pk)
    version_key = VERSION_KEY.format(user=user.pk)
    values = cache.get_many([state_key, version_key])
    version = versions.current(version_key, values.get(version_key), TIMEOUT)
    entry = values.get(state_key)
    if entry is not None and entry[0] == version:
        return entry[1]
    state = build(user, course)
    if not state.borrowed or state.borrowed_under == version:
        cache.set(state_key, (version, state), TIMEOUT)
    return state


def version_of(user) -> str:
    """The learner's version now: read it before reading their rows for many courses."""
    return versions.read(VERSION_KEY.format(user=user.pk), TIMEOUT)


class DatabaseState(LearnerState):
    """The same facts read from the database as they are asked for, never cached: what a
    write transaction sees (a service asks for one or two of them)."""

    def __init__(self, user, course):
        self.user, self.course = user, course

    @cached_property
    def enrolment(self):
        return (
            Enrolment.objects.with_completed_at()
            .filter(user=self.user, course=self.course)
            .first()
        )

    @cached_property
    def progress(self):
        # A page listing many courses may already hold it (courses.views.dashboard).
        known = recalled(self.course, ("progress", self.user.pk))
        if known is not None:
            self.borrowed = True
            self.borrowed_under = getattr(known, "read_under", None)
            return dict(known)
        rows = ModuleProgress.objects.filter(
            user=self.user, module_id__in=[m.pk for m in self.course.modules]
        ).values_list("module_id", "completed_at", "last_visited_at")
        return {module_id: (done, visited) for module_id, done, visited in rows}

    @cached_property
    def profile(self):
        return LearnerProfile.objects.filter(user=self.user).first()

    @cached_property
    def extras(self):
        return learner_state_extras(self.user, self.course)


def build(user, course) -> LearnerState:
    """The record, from the database, to cache."""
    fresh = DatabaseState(user, course)
    state = LearnerState(
        enrolment=fresh.enrolment,
        progress=fresh.progress,
        profile=fresh.profile,
        extras=fresh.extras,
    )
    state.borrowed, state.borrowed_under = fresh.borrowed, fresh.borrowed_under
    return state


def in_write_transaction() -> bool:
    """Inside a transaction a service opened (a test case's own wrapping does not count,
    as for Django's durable atomic blocks)."""
    return any(not block._from_testcase for block in connection.atomic_blocks)


# --- Writers say what they changed ---------------------------------------------------------


def changed(*, user_id: int) -> None:
    """This learner's rows changed: their next read of any course rebuilds its record,
    once the transaction commits (never a cache write while a service holds its locks).
    One new version per learner and transaction, however many rows it wrote."""
    versions.replace_after_commit(VERSION_KEY.format(user=user_id), timeout=TIMEOUT)


def _row_saved(sender, instance, **kwargs):
    changed(user_id=instance.user_id)


def changes_with(*models) -> None:
    """Saving or deleting a row of these models (each with a `user` foreign key) changes
    its learner's record, whoever saves it: a service, an administrator's form."""
    for model in models:
        label = model._meta.label_lower
        post_save.connect(_row_saved, sender=model, dispatch_uid=f"{label}-state-save")
        post_delete.connect(_row_saved, sender=model, dispatch_uid=f"{label}-state-del")


def connect_signals() -> None:
    # Every service that writes enrolments already calls changed(); this also covers a
    # row an administrator edits some other way, because access is decided from it.
    changes_with(Enrolment, LearnerProfile)
