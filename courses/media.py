"""The one way uploaded files leave MEDIA_ROOT by their own address (`/media/...`).

Exposing the media directory would publish everything in it: module images, documents and
certificate PDFs, which are only for the people the access rules allow. So the site mounts
this view at MEDIA_URL, in development as in production, and it serves:

- renditions of public page images (course hero and catalogue card images, faculty photos:
  see access.image_is_public) to anyone, cacheable by anyone;
- any image file to people who work with it in the Wagtail admin (thumbnails, choosers);
- nothing else. Documents go through Wagtail's document view, module images through
  courses:module_image and certificates through their own views, each with its access check.
"""

import mimetypes

from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe
from wagtail.images import get_image_model

from . import access

PUBLIC_MAX_AGE = 60 * 60 * 24


def _image_and_file(path: str):
    """The image a media path belongs to, and whether the path is a rendition of it."""
    Image = get_image_model()
    rendition = (
        Image.get_rendition_model()
        .objects.filter(file=path)
        .select_related("image")
        .first()
    )
    if rendition is not None:
        return rendition.image, rendition.file, True
    image = Image.objects.filter(file=path).first()
    if image is not None:
        return image, image.file, False
    return None, None, False


@require_safe
def serve_media(request, path: str):
    image, file, is_rendition = _image_and_file(path)
    if image is None:
        raise Http404
    if is_rendition and access.image_is_public(image):
        cache_control = f"public, max-age={PUBLIC_MAX_AGE}"
    elif access.may_manage_images(request.user, image):
        cache_control = "private, max-age=3600"
    else:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = cache_control
    return response
