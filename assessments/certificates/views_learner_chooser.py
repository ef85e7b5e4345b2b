"""The learner picker of the manual-issue screen: a Wagtail chooser (a searchable modal that
works with the keyboard) over learners, found by name, email or license number. Staff
accounts are never offered, and only certificate administrators may open it, because it
shows learners' emails and licence numbers."""

from django import forms
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.widgets.chooser import BaseChooser

SEARCH_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "username",
    "learner_profile__legal_name",
    "learner_profile__licence_number",
)


def learners():
    return (
        get_user_model()
        .objects.filter(is_staff=False, is_superuser=False, is_active=True)
        .select_related("learner_profile")
    )


def _profile(user):
    return getattr(user, "learner_profile", None)


def learner_name(user) -> str:
    profile = _profile(user)
    name = (profile.legal_name if profile else "") or user.get_full_name()
    return name.strip() or user.get_username()


def learner_licence(user) -> str:
    profile = _profile(user)
    return profile.licence_number if profile else ""


def learner_label(user) -> str:
    """ "Dana M. Reyes · dana@example.com · LCSW-778899": enough to tell two Danas apart."""
    return " · ".join(
        part for part in (learner_name(user), user.email, learner_licence(user)) if part
    )


class LearnerSearchForm(BaseFilterForm):
    q = forms.CharField(
        label="Search by name, email or license number",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Name, email or license number"}),
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            # Every word must match somewhere: "dana reyes" finds Dana M. Reyes.
            for word in query.split():
                matches = Q()
                for field in SEARCH_FIELDS:
                    matches |= Q(**{f"{field}__icontains": word})
                objects = objects.filter(matches)
            self.is_searching = True
            self.search_query = query
        return objects


class CertificateAdministratorsOnly:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("assessments.revoke_certificate"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class LearnerListMixin(CertificateAdministratorsOnly):
    filter_form_class = LearnerSearchForm
    ordering = ["learner_profile__legal_name", "last_name", "email"]
    per_page = 20

    def get_object_list(self):
        return learners()

    @property
    def columns(self):
        return [
            TitleColumn(
                "name",
                label="Name",
                accessor=learner_name,
                get_url=lambda user: self.append_preserved_url_parameters(
                    reverse(self.chosen_url_name, args=(quote(user.pk),))
                ),
                link_attrs={"data-chooser-modal-choice": True},
            ),
            Column("email", label="Email", accessor="email"),
            Column("licence", label="License number", accessor=learner_licence),
        ]


class LearnerChooseView(LearnerListMixin, chooser_views.ChooseView):
    pass


class LearnerChooseResultsView(LearnerListMixin, chooser_views.ChooseResultsView):
    pass


class LearnerChosenView(CertificateAdministratorsOnly, chooser_views.ChosenView):
    def get_object(self, pk):
        return learners().get(pk=pk)

    def get_display_title(self, instance):
        return learner_label(instance)

    def get_edit_item_url(self, instance):
        return None


class LearnerChooserWidget(BaseChooser):
    show_edit_link = False
    show_clear_link = False

    def get_display_title(self, instance):
        return learner_label(instance)

    def get_value_data_from_instance(self, instance):
        return {"id": instance.pk, "edit_url": "", "title": learner_label(instance)}


class LearnerChooserViewSet(ChooserViewSet):
    icon = "user"
    choose_one_text = "Choose a learner"
    choose_another_text = "Choose another learner"
    page_title = "Choose a learner"
    choose_view_class = LearnerChooseView
    choose_results_view_class = LearnerChooseResultsView
    chosen_view_class = LearnerChosenView
    base_widget_class = LearnerChooserWidget
    # Only the manual-issue form uses it; other forms keep their own user fields.
    register_widget = False


learner_chooser_viewset = LearnerChooserViewSet(
    "certificate_learner_chooser",
    model=get_user_model(),
    url_prefix="certificates/learners",
)
