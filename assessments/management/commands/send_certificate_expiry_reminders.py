from django.core.management.base import BaseCommand

from assessments.certificates import services


class Command(BaseCommand):
    help = (
        "Queue emails to learners whose certificate expires within the reminder window. "
        "Safe to run daily (cron) or more often: each certificate is reminded once. The "
        "task worker also runs it daily on its own (TASKS_SCHEDULE)."
    )

    def handle(self, *args, **options):
        sent = services.certificate_remind_expiring()
        self.stdout.write(f"Expiry reminders queued: {sent}.")
