from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from assessments import conf, emails, services
from assessments.models import Certificate, CertificateStatus


class Command(BaseCommand):
    help = (
        "Email learners whose certificate expires within the reminder window. Safe to run "
        "daily: each certificate is reminded once."
    )

    def handle(self, *args, **options):
        today = timezone.localdate()
        horizon = today + timedelta(days=conf.expiry_reminder_days())
        due = Certificate.objects.filter(
            status=CertificateStatus.VALID,
            expires_at__gte=today,
            expires_at__lte=horizon,
            expiry_reminder_sent_at__isnull=True,
        ).select_related("user")
        sent = 0
        for certificate in due:
            # Claim it first, so two overlapping runs never email the same learner twice.
            if services.certificate_mark_reminded(certificate=certificate):
                emails.send_expiry_reminder(certificate)
                sent += 1
        self.stdout.write(f"Expiry reminders sent: {sent}.")
