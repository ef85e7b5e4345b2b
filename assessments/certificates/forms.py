from django import forms
from django.utils.translation import gettext_lazy as _

LIKERT_CHOICES = [
    ("1", _("1 · Strongly disagree")),
    ("2", _("2 · Disagree")),
    ("3", _("3 · Neutral")),
    ("4", _("4 · Agree")),
    ("5", _("5 · Strongly agree")),
]


class EvaluationResponseForm(forms.Form):
    """One field per evaluation item: a 1–5 rating or free text."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            name = f"item_{item.pk}"
            if item.kind == "likert":
                self.fields[name] = forms.ChoiceField(
                    label=item.text,
                    choices=LIKERT_CHOICES,
                    widget=forms.RadioSelect,
                    required=item.required,
                    error_messages={"required": _("Please choose a rating.")},
                )
            else:
                self.fields[name] = forms.CharField(
                    label=item.text,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    required=item.required,
                    max_length=4000,
                    error_messages={"required": _("Please write a short answer.")},
                )

    def answers(self) -> list[dict]:
        return [
            {
                "item_id": item.pk,
                "kind": item.kind,
                "text": item.text,
                "value": self.cleaned_data.get(f"item_{item.pk}", ""),
            }
            for item in self.items
        ]
