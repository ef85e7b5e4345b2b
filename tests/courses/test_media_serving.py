"""Uploaded files by their /media/ address: public page images for everyone, nothing gated
for anyone without access; the development server follows the same rule."""

import importlib
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.urls import clear_url_caches
from PIL import Image as PILImage
from wagtail.documents.models import Document
from wagtail.images.models import Image

pytestmark = pytest.mark.django_db

IMG_SRC = re.compile(r'<img[^>]+src="(/media/[^"]+)"')


def png(name: str) -> Image:
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 32), "teal").save(buffer, "PNG")
    return Image.objects.create(
        title=name, file=ImageFile(io.BytesIO(buffer.getvalue()), name=f"{name}.png")
    )


@pytest.fixture(params=["production", "development"])
def site_urls(request, settings, tmp_path):
    """The site's URLs as each environment builds them (DEBUG decides at import)."""
    from django.core.cache import cache

    import training.urls

    cache.clear()  # page fragments name renditions of an earlier test's files
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEBUG = request.param == "development"
    importlib.reload(training.urls)
    clear_url_caches()
    yield request.param
    settings.DEBUG = False
    importlib.reload(training.urls)
    clear_url_caches()


@pytest.fixture
def media(site_urls, course, catalogue):
    """A course with a hero image, a module image, a document and a certificate PDF."""
    from tests.courses.test_views_enrolment import add_to_module

    course.hero_image = png("hero")
    course.save_revision().publish()
    module_image = png("module-diagram")
    add_to_module(
        course.modules[0],
        {
            "type": "image",
            "value": {"image": module_image.pk, "alt_text": "Diagram", "caption": ""},
        },
    )
    document = Document.objects.create(
        title="Intake", file=ContentFile(b"%PDF-1.4 intake", name="intake.pdf")
    )
    from django.core.files.storage import default_storage

    certificate = default_storage.save(
        "certificates/certificate-ABC.pdf", ContentFile(b"%PDF-1.4 certificate")
    )
    module_rendition = module_image.get_rendition("max-960x720")
    return {
        "course": course,
        "catalogue": catalogue,
        "gated": [
            "/media/" + module_image.file.name,
            module_rendition.url,
            "/media/" + document.file.name,
            "/media/" + certificate,
        ],
    }


def image_sources(client, url) -> list[str]:
    return IMG_SRC.findall(client.get(url).content.decode())


def test_course_and_catalogue_images_are_public(client, media):
    sources = image_sources(client, media["course"].url)
    sources += image_sources(client, media["catalogue"].url)
    assert len(sources) == 2  # the hero on the course page, the card on the catalogue
    for source in sources:
        response = client.get(source)
        assert response.status_code == 200, source
        assert response["Content-Type"] == "image/png"
        assert response["Cache-Control"].startswith("public")


def test_module_images_documents_and_certificates_are_not(client, media, make_user):
    outsider = make_user("outsider")
    for who in (None, outsider):
        if who:
            client.force_login(who)
        for path in media["gated"]:
            assert client.get(path).status_code == 404, (who, path)


def test_the_original_of_a_public_image_is_not_published(client, media):
    hero = media["course"].hero_image
    assert client.get("/media/" + hero.file.name).status_code == 404


def test_an_unpublished_course_takes_its_hero_image_with_it(client, media):
    (source,) = image_sources(client, media["course"].url)
    media["course"].unpublish()
    assert client.get(source).status_code == 404


def test_people_who_manage_images_see_them_in_the_admin(client, media, trainer):
    client.force_login(trainer)
    module_file = media["gated"][0]
    response = client.get(module_file)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    for path in media["gated"][2:]:  # documents and certificates: never by file address
        assert client.get(path).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_under_the_production_settings_only_public_images_are_served(
    course, settings, tmp_path
):
    """The same rule through the real production settings and middleware, in a separate
    process reading this test's database and media."""
    from django.db import connection

    from tests.courses.test_views_enrolment import add_to_module
    from tests.test_settings import PRODUCTION_ENV, run_manage

    settings.MEDIA_ROOT = tmp_path / "media"
    course.hero_image = png("hero")
    course.save_revision().publish()
    module_image = png("module-diagram")
    add_to_module(
        course.modules[0],
        {
            "type": "image",
            "value": {"image": module_image.pk, "alt_text": "Diagram", "caption": ""},
        },
    )
    expected = {
        course.hero_image.get_rendition("fill-720x360").url: 200,
        "/media/" + course.hero_image.file.name: 404,
        module_image.get_rendition("max-960x720").url: 404,
        "/media/" + module_image.file.name: 404,
    }
    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        env = {"SQLITE_PATH": database["NAME"]}
    else:
        env = {
            "DATABASE_URL": "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
                **{key: database.get(key) or "" for key in database}
            )
        }
    script = (
        "from django.core.management import call_command\n"
        "from django.test import Client, override_settings\n"
        "call_command('createcachetable')\n"
        # Only collectstatic's manifest is missing here (a deploy step, not a setting).
        "static = {'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}\n"
        "client = Client(HTTP_HOST='training.example.org')\n"
        "with override_settings(STORAGES={'default': {'BACKEND': "
        "'django.core.files.storage.FileSystemStorage'}, 'staticfiles': static}):\n"
        f"    for path in {list(expected)!r}:\n"
        "        print('GET', client.get(path, secure=True).status_code, path)\n"
    )
    result = run_manage(
        "shell",
        "-c",
        script,
        env_overrides={**PRODUCTION_ENV, **env, "MEDIA_ROOT": str(settings.MEDIA_ROOT)},
    )
    assert result.returncode == 0, result.stderr
    served = {
        path: int(status)
        for _, status, path in (
            line.split(" ", 2)
            for line in result.stdout.splitlines()
            if line.startswith("GET ")
        )
    }
    assert served == expected, result.stderr
