from django.utils.module_loading import import_string

from .. import conf
from .base import (  # noqa: F401
    CheckoutSession,
    InvalidWebhook,
    PaymentBackend,
    PaymentError,
    WebhookEvent,
)


def get_payment_backend() -> PaymentBackend:
    return import_string(conf.payment_backend_path())()
