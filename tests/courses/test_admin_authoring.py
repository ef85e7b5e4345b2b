"""A trainer creates a module through the real Wagtail admin form."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from courses.models import ModulePage

pytestmark = pytest.mark.django_db


def list_block(items):
    data = {
        str(index): {"value": value, "deleted": "", "order": str(index)}
        for index, value in enumerate(items)
    }
    data["count"] = str(len(items))
    return data


def module_form(**overrides):
    data = {
        "title": "Pairing KAP with EMDR in practice",
        "slug": "pairing-in-practice",
        "kind": "integration",
        "estimated_minutes": "45",
        "summary": "How to plan the first combined session.",
        "learning_objectives": streamfield(
            [("objective", "Map EMDR phases onto KAP stages")]
        ),
        "body": streamfield(
            [
                ("heading", {"text": "A worked case", "level": "h2"}),
                (
                    "case_vignette",
                    {
                        "title": "Mr. T prepares for reprocessing",
                        "scenario": rich_text(
                            "<p>Mr. T, 38, has completed preparation.</p>"
                        ),
                        "reflection_questions": list_block(["Which phase comes next?"]),
                        "discussion": rich_text("<p>Phase 3, assessment.</p>"),
                    },
                ),
                (
                    "screening_checklist",
                    {
                        "title": "Before the first dosing session",
                        "intro": "The prescriber decides on medical grounds.",
                        "criteria": list_block(
                            [
                                {
                                    "criterion": "Current manic episode",
                                    "category": "exclusion",
                                    "note": "Consistently excluded.",
                                }
                            ]
                        ),
                    },
                ),
                (
                    "emdr_map",
                    {
                        "title": "Phases across the course of care",
                        "rows": list_block(
                            [
                                {
                                    "emdr_phase": "Phase 7: Closure",
                                    "kap_stage": "End of every session",
                                    "therapist_actions": "Containment and readiness check.",
                                }
                            ]
                        ),
                    },
                ),
            ]
        ),
        "action-publish": "action-publish",
    }
    data.update(overrides)
    return nested_form_data(data)


def test_trainer_creates_and_publishes_a_module(client, trainer, course):
    client.force_login(trainer)
    url = reverse("wagtailadmin_pages:add", args=("courses", "modulepage", course.pk))
    assert client.get(url).status_code == 200

    response = client.post(url, module_form())

    assert response.status_code == 302, response.content[:2000]
    module = ModulePage.objects.get(slug="pairing-in-practice")
    assert module.live and module.get_parent().pk == course.pk
    assert [block.block_type for block in module.body] == [
        "heading",
        "case_vignette",
        "screening_checklist",
        "emdr_map",
    ]
    page_html = client.get(module.url).content.decode()
    assert "Mr. T prepares for reprocessing" in page_html
    assert "Absolute exclusion" in page_html
    assert "Phase 7: Closure" in page_html


def test_admin_rejects_a_module_under_the_catalogue(client, trainer, catalogue):
    client.force_login(trainer)
    url = reverse(
        "wagtailadmin_pages:add", args=("courses", "modulepage", catalogue.pk)
    )
    response = client.post(url, module_form())
    assert response.status_code in (302, 403)
    assert not ModulePage.objects.filter(slug="pairing-in-practice").exists()


def test_trainer_cannot_publish_outside_the_catalogue(client, trainer, home_page):
    client.force_login(trainer)
    url = reverse("wagtailadmin_pages:edit", args=(home_page.pk,))
    assert client.get(url).status_code in (302, 403)
