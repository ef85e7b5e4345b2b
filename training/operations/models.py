from django.db import models


class ScheduledJob(models.Model):
    """When each entry of TASKS_SCHEDULE was last queued. Workers claim a due entry with
    one conditional UPDATE, so however many workers run, each job is queued once per
    period."""

    name = models.CharField(max_length=100, primary_key=True)
    last_enqueued_at = models.DateTimeField()

    def __str__(self):
        return self.name
