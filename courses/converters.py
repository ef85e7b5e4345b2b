"""Path converters of the plugin's URLs."""

from django.urls import register_converter


class ObjectIdConverter:
    """A database id: at most 18 digits, so it always fits a 64-bit key.

    Django's `int` converter takes digits of any length, and a lookup past the 64-bit range
    raises in the database (SQLite refuses the parameter; Django's range guard does not cover
    lookups through a page's parent link) instead of matching nothing: a 500, not a 404."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(ObjectIdConverter, "id")
