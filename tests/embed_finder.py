"""An oEmbed finder for tests: this machine has no network, so no provider can answer."""

from wagtail.embeds.finders.base import EmbedFinder

TEST_VIDEO_URL = "https://video.test/watch/kap-preparation"


class LocalVideoFinder(EmbedFinder):
    def __init__(self, **options):
        pass

    def accept(self, url):
        return url.startswith("https://video.test/")

    def find_embed(self, url, max_width=None, max_height=None):
        return {
            "title": "KAP preparation demo",
            "author_name": "Test",
            "provider_name": "video.test",
            "type": "video",
            "thumbnail_url": "",
            "width": 640,
            "height": 360,
            "html": f'<iframe title="KAP preparation demo" src="{url}/embed"></iframe>',
        }
