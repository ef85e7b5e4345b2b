from django.db import models


class OutboundEmail(models.Model):
    """Every email the plugin sends, recorded before it goes.

    `key` names the occasion (one receipt per order, one "issued" email per certificate), so
    queueing the same occasion twice stores one row; `sent_at` is set in the transaction
    that sends it, so a retried delivery task never sends a second copy.
    """

    key = models.CharField(max_length=200, unique=True)
    to = models.JSONField(help_text="Recipient addresses.")
    from_email = models.CharField(max_length=255, blank=True)
    subject = models.TextField()
    body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    sensitive = models.BooleanField(
        default=False,
        help_text="Carries a sign-in or verification link: the body is cleared once sent.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "outbound email"

    def __str__(self):
        return f"{self.key} → {', '.join(self.to)}"
