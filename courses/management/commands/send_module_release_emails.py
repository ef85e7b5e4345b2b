from django.core.management.base import BaseCommand

from courses.programmes import services


class Command(BaseCommand):
    help = (
        "Email learners whose scheduled module opened (N days after their cohort started, "
        "or after they enrolled). Safe to run daily: each learner hears once per module."
    )

    def handle(self, *args, **options):
        sent = services.release_notices_send()
        self.stdout.write(f"Module release emails sent: {sent}.")
