"""Programme emails, recorded and queued for the task worker. Most are queued after their
transaction commits, so a failure to queue is logged and never undoes the change that
caused it; the module-release email is queued inside its claim's transaction instead."""

import logging

from django.urls import reverse

from ..emails import absolute_url, send_templated

logger = logging.getLogger(__name__)
PREFIX = "courses/programmes/email/"


def _send(name: str, *, to: str, context: dict) -> None:
    try:
        send_templated(PREFIX + name, to=to, context=context)
    except Exception:
        logger.exception("Programme email %s to %s could not be sent", name, to)


def send_invitation(invitation) -> None:
    _send(
        "invitation",
        to=invitation.email,
        context={
            "invitation": invitation,
            "course": invitation.seat.course,
            "organization": invitation.organization,
            "accept_url": absolute_url(
                reverse("courses:invitation_accept", args=[invitation.token])
            ),
        },
    )


def send_seat_reclaimed(*, user, course, organization) -> None:
    _send(
        "seat_reclaimed",
        to=user.email,
        context={"user": user, "course": course, "organization": organization},
    )


def queue_module_open(*, user, module, opens_on) -> None:
    """Not through `_send`: a failure here must roll back the claim it commits with."""
    send_templated(
        PREFIX + "module_open",
        key=f"module_open:{user.pk}:{module.pk}",
        to=user.email,
        context={
            "user": user,
            "module": module,
            "course": module.course,
            "opens_on": opens_on,
            "module_url": absolute_url(module.url or "/"),
        },
    )


def send_consultation_submitted(consultation) -> None:
    _send(
        "consultation_submitted",
        to=consultation.consultant.email,
        context={
            "consultation": consultation,
            "review_url": absolute_url(reverse("courses:consultation_reviews")),
        },
    )


def send_consultation_decided(consultation) -> None:
    _send(
        "consultation_decided",
        to=consultation.user.email,
        context={
            "consultation": consultation,
            "log_url": absolute_url(
                reverse("courses:consultations", args=[consultation.course_id])
            ),
        },
    )
