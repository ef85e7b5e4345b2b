from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        # Honour ?next= (allauth does that before calling us); otherwise the dashboard.
        return reverse("courses:dashboard")
