"""The payment backend interface. Services talk to this, never to a vendor SDK."""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal


class PaymentError(Exception):
    """The provider refused or could not be reached; the message is safe to show."""


class InvalidWebhook(Exception):
    """The webhook's signature is missing, wrong or stale, or the body is not an event."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str
    status: str  # open | complete | expired
    payment_status: str  # paid | unpaid | no_payment_required
    amount_total: int  # minor units
    currency: str  # lower-case ISO code, as providers send it
    client_reference_id: str = ""
    metadata: dict = field(default_factory=dict)
    payment_intent_id: str = ""

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_total) / 100


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    data: object  # the event's data.object: a dict from a well-formed event


class PaymentBackend(ABC):
    """Implemented by StripeBackend and TestModeBackend."""

    name = ""

    @abstractmethod
    def checkout_start(
        self,
        *,
        order,
        success_url: str,
        cancel_url: str,
        customer_email: str,
    ) -> CheckoutSession:
        """Create a pending checkout for the order; its url is where the learner pays."""

    @abstractmethod
    def checkout_lookup(self, session_id: str) -> CheckoutSession | None:
        """The session as the provider knows it, or None if it does not exist."""

    @abstractmethod
    def refund(self, *, order, amount: Decimal | None = None) -> str:
        """Ask the provider to refund; returns the provider's refund id."""

    @abstractmethod
    def webhook_parse(self, *, payload: bytes, signature: str) -> WebhookEvent:
        """Verify the signature on the raw body and parse the event, or raise InvalidWebhook."""
