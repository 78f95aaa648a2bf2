"""The yearly ISQ self-assessment form: one yes/no answer and its evidence per item."""

from django import forms
from dsfr.forms import DsfrBaseForm

from .quality import ITEMS

ANSWER_CHOICES = [("yes", "Oui"), ("no", "Non"), ("", "Non renseigné")]
TO_VALUE = {"yes": True, "no": False, "": None}
TO_CHOICE = {True: "yes", False: "no", None: ""}


class AnswerField(forms.ChoiceField):
    """Oui / Non / Non renseigné: "non renseigné" is an answer (it scores 0), so the field is
    never "optional" in the DSFR sense; only completing the assessment requires yes or no."""

    def validate(self, value):
        if value:
            super().validate(value)


class QualityForm(DsfrBaseForm):
    """Fields `<code>_answer` and `<code>_evidence` for each ISQ item, filled from `states`
    (the saved answers, or the data's suggestions)."""

    use_required_attribute = False

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        for state in states:
            code = state.item.code
            self.fields[f"{code}_answer"] = AnswerField(
                label=state.item.label,
                choices=ANSWER_CHOICES,
                widget=forms.RadioSelect,
                initial=TO_CHOICE[state.answer],
            )
            self.fields[f"{code}_evidence"] = forms.CharField(
                label="Éléments de preuve",
                help_text="Liens, documents, procédures (un par ligne).",
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=state.evidence,
            )

    def answers(self) -> dict[str, tuple[bool | None, str]]:
        data = self.cleaned_data
        return {
            item.code: (
                TO_VALUE[data.get(f"{item.code}_answer") or ""],
                data.get(f"{item.code}_evidence", "").strip(),
            )
            for item in ITEMS
        }

    def clean(self):
        data = super().clean()
        if self.data.get("action") == "complete":
            missing = [item for item in ITEMS if not data.get(f"{item.code}_answer")]
            for item in missing:
                self.add_error(f"{item.code}_answer", "Répondez par oui ou non avant de terminer.")
        return data
