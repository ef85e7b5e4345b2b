"""Reads: catalogue queries, what a user may see, progress summaries."""

from django.db.models import Exists, OuterRef, QuerySet

from .models.pages import CoursePage, ModuleKind, ModulePage


def catalogue_filters_from_query(query) -> dict:
    """Keep only filter values we understand, so odd query strings never error."""
    topic = query.get("topic", "")
    ce = query.get("ce", "")
    return {
        "topic": topic if topic in ModuleKind.values else "",
        "ce": ce if ce in {"yes", "no"} else "",
    }


def catalogue_courses(
    catalogue, *, topic: str = "", ce: str = ""
) -> QuerySet[CoursePage]:
    courses = CoursePage.objects.child_of(catalogue).live().public().order_by("path")
    if topic:
        # A course's topics are the kinds of its live modules: derived, never stored twice.
        courses = courses.filter(
            Exists(
                ModulePage.objects.live().filter(
                    kind=topic,
                    path__startswith=OuterRef("path"),
                    depth=OuterRef("depth") + 1,
                )
            )
        )
    if ce == "yes":
        courses = courses.filter(ce_hours__gt=0)
    elif ce == "no":
        courses = courses.filter(ce_hours=0)
    return courses.select_related("hero_image")
