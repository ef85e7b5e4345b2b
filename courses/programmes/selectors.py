"""Programme reads: seats and learners an organization manager may see, cohorts and the
release schedule, live and consultation hours, and the certificate requirements."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum
from django.utils import timezone

from .. import learner_state
from ..hooks import learner_report
from ..models import (
    ACCESS_STATUSES,
    Cohort,
    CohortMembership,
    Consultation,
    ConsultationStatus,
    Enrolment,
    EnrolmentStatus,
    InvitationStatus,
    LiveAttendance,
    LiveSession,
    ModulePage,
    ModuleReleaseNotice,
    Organization,
    Seat,
    SeatInvitation,
    SeatStatus,
)
from ..roles import CONSULTANTS
from ..selectors import completed_module_ids, course_progress, load_course_modules


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)


def hours_text(value: Decimal) -> str:
    return f"{value.normalize():f}"


# --- Organizations and seats -------------------------------------------------------------


def managed_organizations(user):
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(managers__user=user)


def managed_organization(user, slug: str) -> Organization | None:
    """The organization with this slug, only if this user manages it."""
    return managed_organizations(user).filter(slug=slug).first()


def seat_summary(organization: Organization) -> list[dict]:
    """Per course: seats bought, assigned, held by invitations, free and refunded."""
    rows = (
        Seat.objects.filter(organization=organization)
        .values("course_id", "course__title")
        .annotate(
            purchased=Count("pk"),
            assigned=Count("pk", filter=Q(status=SeatStatus.ASSIGNED)),
            invited=Count("pk", filter=Q(status=SeatStatus.INVITED)),
            free=Count("pk", filter=Q(status=SeatStatus.FREE)),
            refunded=Count("pk", filter=Q(status=SeatStatus.REFUNDED)),
        )
        .order_by("course__title")
    )
    return [
        {
            **row,
            "in_use": row["assigned"] + row["invited"],
            "course_title": row["course__title"],
        }
        for row in rows
    ]


def free_seat_for(organization: Organization, course_id: int):
    """A free seat, locked for the caller's transaction (services only)."""
    return (
        Seat.objects.select_for_update()
        .filter(organization=organization, course_id=course_id, status=SeatStatus.FREE)
        .order_by("pk")
        .first()
    )


def pending_invitations(organization: Organization):
    return (
        SeatInvitation.objects.filter(
            organization=organization, status=InvitationStatus.PENDING
        )
        .select_related("seat__course", "cohort")
        .order_by("-created_at")
    )


def organization_learners(organization: Organization) -> list[dict]:
    """What a manager may know about their learners: name, email, course, cohort,
    progress, completion and certificate status. Never answers, attempts, evaluation
    responses or licence details."""
    seats = list(
        Seat.objects.filter(organization=organization, status=SeatStatus.ASSIGNED)
        .select_related("holder", "course")
        .order_by("course__title", "holder__email")
    )
    courses = {seat.course.pk: seat.course for seat in seats}
    load_course_modules(list(courses.values()))
    enrolments = {
        (e.user_id, e.course_id): e
        for e in Enrolment.objects.filter(
            user__in=[s.holder_id for s in seats], course__in=list(courses)
        )
    }
    cohorts = {
        (m.user_id, m.course_id): m.cohort
        for m in CohortMembership.objects.filter(
            user__in=[s.holder_id for s in seats], course__in=list(courses)
        ).select_related("cohort")
    }
    extra: dict[tuple, dict] = {}
    for course in courses.values():
        users = [s.holder for s in seats if s.course_id == course.pk]
        for user_id, values in learner_report(course=course, users=users).items():
            extra[(user_id, course.pk)] = values
    rows = []
    for seat in seats:
        user, course = seat.holder, seat.course
        modules = course.modules
        progress = course_progress(
            user, modules, done=completed_module_ids(user, modules)
        )
        enrolment = enrolments.get((user.pk, course.pk))
        cohort = cohorts.get((user.pk, course.pk))
        rows.append(
            {
                "seat": seat,
                "name": user.get_full_name() or user.get_username(),
                "email": user.email,
                "course_title": course.title,
                "cohort": cohort.name if cohort else "Self-paced",
                "modules_done": progress["completed"],
                "modules_total": progress["total"],
                "percent": progress["percent"],
                "completed": bool(
                    enrolment and enrolment.status == EnrolmentStatus.COMPLETED
                ),
                "certificate": extra.get((user.pk, course.pk), {}).get(
                    "certificate", "Not issued"
                ),
                "may_reclaim": not (
                    enrolment and enrolment.status == EnrolmentStatus.COMPLETED
                )
                and not extra.get((user.pk, course.pk), {}).get("certified"),
            }
        )
    return rows


# --- Cohorts and scheduled release -------------------------------------------------------


def cohort_for(user, course) -> Cohort | None:
    cohort_id = _programme_fact(user, course, "cohort_id")
    return Cohort.objects.filter(pk=cohort_id).first() if cohort_id else None


def _cohort_id(user, course) -> int | None:
    return (
        CohortMembership.objects.filter(user=user, course=course)
        .values_list("cohort_id", flat=True)
        .first()
    )


def _live_minutes(user, course) -> int:
    return (
        LiveAttendance.objects.filter(
            user=user, session__cohort__course=course
        ).aggregate(total=Sum("minutes_attended"))["total"]
        or 0
    )


def _consultation_minutes(user, course) -> int:
    return (
        Consultation.objects.filter(
            user=user, course=course, status=ConsultationStatus.APPROVED
        ).aggregate(total=Sum("minutes"))["total"]
        or 0
    )


PROGRAMME_FACTS = {
    "cohort_id": _cohort_id,
    "live_minutes": _live_minutes,
    "consultation_minutes": _consultation_minutes,
}
NO_PROGRAMME = {"cohort_id": None, "live_minutes": 0, "consultation_minutes": 0}


def learner_programme_state(user, course) -> dict:
    """Cohort (by id, so an edit shows at once) and hours in courses' cached learner
    state (the courses_learner_state hook); connect_signals keeps the record fresh."""
    return {
        "programme": {
            name: read(user, course) for name, read in PROGRAMME_FACTS.items()
        }
    }


def _programme_fact(user, course, name: str):
    if not user.is_authenticated:
        return NO_PROGRAMME[name]
    state = learner_state.get(user, course)
    if isinstance(state, learner_state.DatabaseState):
        # A service, or a decision to write: this fact alone, not every hook's record.
        return PROGRAMME_FACTS[name](user, course)
    return state.extras["programme"][name]


def connect_signals() -> None:
    learner_state.changes_with(CohortMembership, LiveAttendance, Consultation)


def open_cohorts(course) -> list[Cohort]:
    """Cohorts a learner may still join: open, not ended, and with room."""
    today = timezone.localdate()
    cohorts = (
        Cohort.objects.filter(course=course, open_for_enrollment=True)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .annotate(member_count=Count("members"))
        .order_by("starts_on")
    )
    return [c for c in cohorts if c.capacity is None or c.member_count < c.capacity]


def cohort_has_room(cohort: Cohort) -> bool:
    return cohort.capacity is None or cohort.members.count() < cohort.capacity


def release_start(*, cohort: Cohort | None, enrolment: Enrolment | None) -> date | None:
    """The day a learner's schedule counts from: the cohort's start, or enrollment."""
    if cohort is not None:
        return cohort.starts_on
    if enrolment is not None and enrolment.activated_at:
        return timezone.localdate(enrolment.activated_at)
    return None


def module_opens_on(module: ModulePage, start: date | None) -> date | None:
    if not module.release_after_days or start is None:
        return None
    return start + timedelta(days=module.release_after_days)


def module_release_lock(
    user, module: ModulePage, enrolment, *, today=None
) -> date | None:
    """The day this module opens for this learner, if that is still in the future."""
    if not module.release_after_days:
        return None
    start = release_start(cohort=cohort_for(user, module.course), enrolment=enrolment)
    opens = module_opens_on(module, start)
    if opens and opens > (today or timezone.localdate()):
        return opens
    return None


def release_locks(user, course, enrolment, *, today=None) -> dict[int, date]:
    """{module id: the day it opens} for this learner's modules that are not open yet."""
    modules = [m for m in course.modules if m.release_after_days]
    if not modules or not (enrolment and enrolment.status in ACCESS_STATUSES):
        return {}
    today = today or timezone.localdate()
    start = release_start(cohort=cohort_for(user, course), enrolment=enrolment)
    locks = {}
    for module in modules:
        opens = module_opens_on(module, start)
        if opens and opens > today:
            locks[module.pk] = opens
    return locks


def release_notices_due(*, today=None) -> list[tuple]:
    """(user, module, opens on) for every scheduled module that opened for an active
    learner on or before today, after they enrolled, and whose email is not sent yet."""
    today = today or timezone.localdate()
    modules = list(
        ModulePage.objects.live().filter(release_after_days__gt=0).defer_streamfields()
    )
    due = []
    for module in modules:
        course = module.course
        sent = set(
            ModuleReleaseNotice.objects.filter(module=module).values_list(
                "user_id", flat=True
            )
        )
        cohorts = {
            m.user_id: m.cohort
            for m in CohortMembership.objects.filter(course=course).select_related(
                "cohort"
            )
        }
        for enrolment in Enrolment.objects.filter(
            course=course, status__in=ACCESS_STATUSES
        ).select_related("user"):
            if enrolment.user_id in sent:
                continue
            start = release_start(
                cohort=cohorts.get(enrolment.user_id), enrolment=enrolment
            )
            opens = module_opens_on(module, start)
            enrolled_on = timezone.localdate(enrolment.activated_at)
            if opens and enrolled_on < opens <= today:
                due.append((enrolment.user, module, opens))
    return due


def cohort_member_ids(cohort: Cohort) -> list[int]:
    return list(cohort.members.values_list("user_id", flat=True))


def cohorts_for_trainer(user):
    """Cohorts this user may follow: their own as facilitator, or all with the permission."""
    cohorts = Cohort.objects.select_related("course", "facilitator")
    if user.is_superuser or user.has_perm("courses.view_cohort"):
        return cohorts
    return cohorts.filter(facilitator=user)


def cohort_progress(cohort: Cohort) -> list[dict]:
    course = cohort.course
    load_course_modules([course])
    members = list(cohort.members.select_related("user").order_by("user__email"))
    minutes = live_minutes_by_user(cohort)
    rows = []
    for member in members:
        progress = course_progress(
            member.user,
            course.modules,
            done=completed_module_ids(member.user, course.modules),
        )
        rows.append(
            {
                "user": member.user,
                "name": member.user.get_full_name() or member.user.get_username(),
                "percent": progress["percent"],
                "modules_done": progress["completed"],
                "modules_total": progress["total"],
                "live_hours": hours(minutes.get(member.user_id, 0)),
            }
        )
    return rows


# --- Live sessions -----------------------------------------------------------------------


def live_sessions_for_learner(user, course) -> list[LiveSession]:
    """The sessions of this learner's cohort, only while their enrollment gives access."""
    cohort = cohort_for(user, course)
    if cohort is None:
        return []
    if not Enrolment.objects.filter(
        user=user, course=course, status__in=ACCESS_STATUSES
    ).exists():
        return []
    return list(cohort.sessions.all())


def live_minutes_by_user(cohort: Cohort) -> dict[int, int]:
    rows = (
        LiveAttendance.objects.filter(session__cohort=cohort)
        .values("user_id")
        .annotate(total=Sum("minutes_attended"))
    )
    return {row["user_id"]: row["total"] for row in rows}


def live_minutes(user, course) -> int:
    return _programme_fact(user, course, "live_minutes")


def session_attendance(session: LiveSession) -> dict[int, int]:
    return dict(session.attendance.values_list("user_id", "minutes_attended"))


# --- Consultation hours ------------------------------------------------------------------


def consultants():
    return (
        get_user_model()
        .objects.filter(groups__name=CONSULTANTS, is_active=True)
        .order_by("last_name", "first_name", "username")
    )


def is_consultant(user) -> bool:
    return user.is_authenticated and user.groups.filter(name=CONSULTANTS).exists()


def consultations_of(user, course):
    return Consultation.objects.filter(user=user, course=course).select_related(
        "consultant"
    )


def approved_consultation_minutes(user, course) -> int:
    return _programme_fact(user, course, "consultation_minutes")


def consultations_to_review(consultant):
    return Consultation.objects.filter(
        consultant=consultant, status=ConsultationStatus.SUBMITTED
    ).select_related("user", "course")


# --- Certificate requirements and frozen entries -----------------------------------------


@dataclass(frozen=True)
class HourEntry:
    type: str  # consultation_hours | live_contact_hours
    label: str
    hours: Decimal

    def as_dict(self) -> dict:
        return {"type": self.type, "label": self.label, "hours": hours_text(self.hours)}


def programme_hours(user, course) -> list[HourEntry]:
    """The learner's consultation and live hours, for the courses that count them."""
    entries = []
    if course.consultation_hours_required > 0:
        entries.append(
            HourEntry(
                "consultation_hours",
                "Consultation hours (approved)",
                hours(approved_consultation_minutes(user, course)),
            )
        )
    live = hours(live_minutes(user, course))
    if course.live_hours_required > 0 or live > 0:
        entries.append(HourEntry("live_contact_hours", "Live contact hours", live))
    return entries


def programme_requirements(user, course) -> list[dict]:
    """Checklist items for certificate eligibility: approved consultation hours and
    attended live hours, where the course asks for them."""
    items = []
    entries = {entry.type: entry for entry in programme_hours(user, course)}
    if course.consultation_hours_required > 0:
        done = entries["consultation_hours"].hours
        required = course.consultation_hours_required
        items.append(
            {
                "label": f"Consultation: {hours_text(min(done, required))} of "
                f"{hours_text(required)} hours approved",
                "done": done >= required,
                "detail": "",
            }
        )
    if course.live_hours_required > 0:
        done = entries["live_contact_hours"].hours
        required = course.live_hours_required
        items.append(
            {
                "label": f"Live sessions: {hours_text(min(done, required))} of "
                f"{hours_text(required)} hours attended",
                "done": done >= required,
                "detail": "",
            }
        )
    return items


def certificate_hour_entries(user, course) -> list[dict]:
    """Typed entries a certificate freezes: [{type, label, hours}]."""
    return [entry.as_dict() for entry in programme_hours(user, course)]


def roles_of(user) -> dict:
    """The programme pages this user may open, for links on their dashboard."""
    return {
        "organizations": list(managed_organizations(user)),
        "consultant": is_consultant(user),
        "cohorts": list(
            Cohort.objects.filter(facilitator=user).select_related("course")
        )
        if user.is_authenticated
        else [],
    }
