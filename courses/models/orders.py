import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    DISPUTED = "disputed", _("Disputed")


# An order in these states took money (some of it may have been returned since).
CHARGED_STATUSES = (
    OrderStatus.PAID,
    OrderStatus.PARTIALLY_REFUNDED,
    OrderStatus.REFUNDED,
    OrderStatus.DISPUTED,
)
# What a learner and an administrator read for an order that never took money: a checkout
# that was started and left is not an order at full price.
UNCHARGED_LABELS = {
    OrderStatus.PENDING: _("Checkout not completed"),
    OrderStatus.EXPIRED: _("Abandoned checkout"),
    OrderStatus.FAILED: _("Payment failed"),
}


def new_order_reference() -> str:
    return "KAP-" + secrets.token_hex(5).upper()


class Order(models.Model):
    reference = models.CharField(
        max_length=20, unique=True, default=new_order_reference
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="+"
    )
    course_title = models.CharField(max_length=255)
    # An organization buys `quantity` seats; a learner buys one place for themselves.
    quantity = models.PositiveIntegerField(default=1)
    organization = models.ForeignKey(
        "courses.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    cohort = models.ForeignKey(
        "courses.Cohort",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The cohort the learner chose at checkout.",
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    amount_refunded = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING
    )
    provider = models.CharField(max_length=20)
    checkout_session_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True
    )
    payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    # A learner's record: nothing in the CMS refers to it, so Wagtail's reference index
    # need not be rewritten (inside the write transaction) each time one is saved.
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="order_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_refunded__lte=models.F("amount")),
                name="order_refund_within_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="order_quantity_positive"
            ),
        ]

    def __str__(self):
        return f"{self.reference} ({self.get_status_display()})"

    @property
    def amount_minor_units(self) -> int:
        return int(self.amount * 100)

    @property
    def unit_amount_minor_units(self) -> int:
        """The price of one seat (or the one place) in minor units."""
        return self.amount_minor_units // self.quantity

    @property
    def is_charged(self) -> bool:
        return self.status in CHARGED_STATUSES

    def outcome(self) -> str:
        return str(UNCHARGED_LABELS.get(self.status) or self.get_status_display())

    outcome.short_description = _("Status")

    def charged(self) -> str:
        if not self.is_charged:
            return str(_("Not charged"))
        return f"{self.currency} {self.amount}"

    charged.short_description = _("Charged")


class ProcessedWebhookEvent(models.Model):
    """One row per provider event id: the unique constraint makes delivery idempotent."""

    event_id = models.CharField(max_length=255, unique=True)
    event_type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.event_type} {self.event_id}"


class TestModeSession(models.Model):
    """A checkout session of the local test-mode backend (development only)."""

    session_id = models.CharField(max_length=64, unique=True)
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, default="open")
    payment_status = models.CharField(max_length=20, default="unpaid")
    success_url = models.URLField(max_length=500)
    cancel_url = models.URLField(max_length=500)

    def __str__(self):
        return self.session_id
