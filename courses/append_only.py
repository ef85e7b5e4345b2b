"""Append-only records: audit logs that may be written once and never changed.

The model and its queryset refuse edits and deletes here; each concrete table also has
database triggers that refuse them (see the migrations that create them), so neither a
bug nor a hand-written query can rewrite history."""

from django.db import models

REFUSAL = "Audit events are append-only."


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(REFUSAL)

    def delete(self):
        raise PermissionError(REFUSAL)


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError(REFUSAL)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(REFUSAL)
