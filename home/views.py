import unicodedata

from allauth.account.views import LoginView as AllauthLoginView
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.template.response import TemplateResponse
from wagtail.models import Page

from courses.access import visible_pages

MAX_QUERY_LENGTH = 200


def clean_query(raw: str) -> str:
    """What is searched for: printable text only.

    Control and format characters mean nothing to a reader and break the search backend's
    query syntax (SQLite's full-text MATCH fails on NUL or an unpaired double quote)."""
    kept = "".join(
        " " if char == '"' else char
        for char in raw
        if char.isspace() or unicodedata.category(char)[0] != "C"
    )
    return " ".join(kept.split())[:MAX_QUERY_LENGTH]


def search(request):
    query = clean_query(request.GET.get("q", ""))
    results = Page.objects.none()
    if query:
        # Search only what this person may open: gated modules never appear, even as titles.
        results = visible_pages(request.user).search(query)
    paginator = Paginator(results, 10)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        page = paginator.page(1)
    return TemplateResponse(request, "search.html", {"query": query, "results": page})


class LoginView(AllauthLoginView):
    """allauth's sign-in, except that a lock-out after failed attempts says so with 429
    (allauth shows the form again with 200, which scripts and monitors read as success)."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        locked_out = any(
            error.code == "too_many_login_attempts"
            for errors in form.errors.as_data().values()
            for error in errors
        )
        if locked_out:
            response.status_code = 429
        return response
