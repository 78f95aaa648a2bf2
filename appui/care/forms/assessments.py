"""Forms of the assessments: starting one, filling in a grid (built from its definition), and
the editor of the DAC's own grids. They only read input; the rules live in
`appui.care.assessments`, whose French refusals `add_service_errors` puts next to the field."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from dsfr.forms import DsfrBaseForm
from dsfr.widgets import InlineRadioSelect

from appui.core.enums import SensitivityCategory

from .. import assessments
from .. import sharing as care_sharing
from ..enums import AssessmentPlace

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
QUESTION_INPUT = "care/assessments/_question_input.html"
QUESTION_RADIO = "care/assessments/_question_radio.html"

FORMAT_HELP = [
    ("# Titre du domaine", "commence un domaine (Santé, Autonomie… ou un titre libre)."),
    (
        "Libellé de la question [type]",
        "une question ; types : [texte], [oui/non], [choix], [nombre], [A/B/C].",
    ),
    ("… [type] *", "l'astérisque rend la réponse obligatoire pour terminer l'évaluation."),
    ("- Option = 2", "une option de la question [choix] au-dessus, avec un score facultatif."),
    ("? Texte d'aide", "une aide sous le domaine ou la question qui précède."),
    (
        assessments.NEEDS_LINE,
        "le domaine recueille les problèmes et besoins non couverts "
        "(domaines de l'évaluation multidimensionnelle seulement).",
    ),
    (
        "= 0 à 4 : Risque faible",
        "une tranche du score total (« = 10 et plus : … » pour la dernière).",
    ),
]


class StackedRadioSelect(forms.RadioSelect):
    """Radio buttons one under the other (the DSFR templates read `inline`)."""

    inline = False


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's refusal next to the field it names: a question code goes to its `q_`
    field, a domain's needs to `needs_<domain>`, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        for name in (key, f"q_{key}"):
            if name in form.fields:
                form.add_error(name, errors)
                break
        else:
            form.add_error(None, errors)


def _question_field(question: dict) -> forms.Field:
    label, help_text, kind = question["label"], question.get("help", ""), question["type"]
    common = {"label": label, "help_text": help_text, "required": False}
    if kind == "text":
        field = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), **common)
    elif kind == "number":
        field = forms.CharField(
            widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "appui-number"}),
            **common,
        )
    else:
        if kind == "yes_no":
            choices = list(assessments.YES_NO.items())
        elif kind == "abc":
            choices = list(assessments.ABC.items())
        else:
            choices = [(o["value"], o["label"]) for o in question["options"]]
        inline = kind in ("yes_no", "abc") or len(choices) <= 3
        field = forms.ChoiceField(
            choices=choices,
            widget=InlineRadioSelect if inline else StackedRadioSelect,
            error_messages={"invalid_choice": "Choisissez une des réponses proposées."},
            **common,
        )
    # Rendered by the page's own snippet (the form renderer only sees the DSFR templates).
    field.question_template = (
        QUESTION_RADIO if isinstance(field, forms.ChoiceField) else QUESTION_INPUT
    )
    field.needed = bool(question.get("required"))
    return field


class StartAssessmentForm(DsfrBaseForm):
    assessed_on = forms.DateField(
        label="Date de l'évaluation",
        widget=DATE_WIDGET,
        initial=timezone.localdate,
        error_messages={
            "required": "Indiquez la date de l'évaluation.",
            "invalid": "Date invalide.",
        },
    )
    place = forms.ChoiceField(
        label="Lieu",
        choices=AssessmentPlace.choices,
        initial=AssessmentPlace.HOME,
        widget=forms.RadioSelect,
        error_messages={"required": "Indiquez où l'évaluation a lieu."},
    )
    participants = forms.CharField(
        label="Participants",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Qui est présent : la personne, un proche, des professionnels.",
    )


class AssessmentFillForm(StartAssessmentForm):
    """The assessment page's form: date, place, participants, the grid's questions by domain,
    the problems / uncovered needs of each domain that collects them, the synthesis."""

    summary = forms.CharField(
        label="Synthèse",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Ce qui ressort de l'évaluation, en quelques lignes.",
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, data=None, *, assessment, **kwargs):
        definition = assessment.form.definition
        answers = assessment.answers or {}
        needs = answers.get(assessments.NEEDS_KEY, [])
        initial = {
            "assessed_on": assessment.assessed_on,
            "place": assessment.place,
            "participants": assessment.participants,
            "summary": assessment.summary,
            "lock_version": assessment.lock_version,
        }
        for _domain, question in assessments.iter_questions(definition):
            value = answers.get(question["code"])
            if value is not None:
                initial[f"q_{question['code']}"] = (
                    assessments.display_answer(question, value)
                    if (question["type"] == "number")
                    else value
                )
        for domain in assessments.need_domains(definition):
            initial[f"needs_{domain['code']}"] = "\n".join(
                n["description"] for n in needs if n["domain"] == domain["code"]
            )
        super().__init__(data, initial=initial, **kwargs)
        self.definition = definition
        self.domains = []
        for domain in definition.get("domains", []):
            names = []
            for question in domain.get("questions", []):
                name = f"q_{question['code']}"
                self.fields[name] = _question_field(question)
                names.append(name)
            needs_name = None
            if domain.get("needs"):
                needs_name = f"needs_{domain['code']}"
                self.fields[needs_name] = forms.CharField(
                    label=f"Problèmes et besoins non couverts — {domain['label'].lower()}",
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    help_text="Un problème ou besoin par ligne ; ils seront repris dans le PPCS.",
                )
                self.fields[needs_name].question_template = QUESTION_INPUT
                self.fields[needs_name].needed = False
            self.domains.append((domain, names, needs_name))

    def sections(self):
        """The domains with their bound fields, for the template."""
        return [
            {
                "code": domain["code"],
                "label": domain["label"],
                "help": domain.get("help", ""),
                "compact": all(q["type"] in ("abc", "yes_no") for q in domain.get("questions", [])),
                "fields": [
                    {"field": self[name], "template": self.fields[name].question_template}
                    for name in names
                ],
                "needs": self[needs_name] if needs_name else None,
            }
            for domain, names, needs_name in self.domains
        ]

    def answers(self) -> dict:
        data = self.cleaned_data
        return {
            question["code"]: data.get(f"q_{question['code']}")
            for _domain, question in assessments.iter_questions(self.definition)
            if data.get(f"q_{question['code']}") not in (None, "")
        }

    def needs(self) -> list[dict]:
        needs = []
        for domain in assessments.need_domains(self.definition):
            for line in (self.cleaned_data.get(f"needs_{domain['code']}") or "").splitlines():
                if line.strip():
                    needs.append({"domain": domain["code"], "description": line.strip()})
        return needs

    def fields_for_service(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("assessed_on", "place", "participants", "summary")
        }


DEFAULT = care_sharing.DEFAULT_GRID_CATEGORY


class GridEditorForm(DsfrBaseForm):
    """A DAC's grid, written in a plain text format (see `FORMAT_HELP`) with a live preview."""

    title = forms.CharField(
        label="Intitulé de la grille",
        max_length=200,
        error_messages={"required": "Donnez un intitulé à la grille."},
    )
    description = forms.CharField(
        label="Présentation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="À quoi sert la grille, quand l'utiliser.",
    )
    text = forms.CharField(
        label="Domaines et questions",
        widget=forms.Textarea(attrs={"rows": 22, "class": "appui-grid-text"}),
        help_text="Une ligne par élément, selon le format décrit à côté.",
        error_messages={"required": "Écrivez au moins un domaine et ses questions."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The live preview: the grid as the assessor will see it, redrawn as the text changes.
        self.fields["text"].widget.attrs.update(
            {
                "hx-post": reverse("care:grid_preview"),
                "hx-trigger": "input changed delay:400ms, load",
                "hx-target": "#apercu",
                "hx-sync": "this:replace",
            }
        )

    category = forms.ChoiceField(
        label="Catégorie des réponses",
        choices=[
            (c.value, c.label)
            for c in SensitivityCategory
            if c.value in care_sharing.GRID_CATEGORIES and c != SensitivityCategory.PLAN
        ],
        initial=care_sharing.DEFAULT_GRID_CATEGORY,
        required=False,
        help_text="Les réponses de la grille ne sont montrées qu'aux membres du cercle de soins "
        "qui ont accès à cette catégorie de données (Médical si vous ne choisissez pas).",
    )

    def clean_text(self):
        text = self.cleaned_data["text"]
        self.definition = assessments.parse_form_text(text)
        return text

    def clean(self):
        cleaned = super().clean()
        category = cleaned.get("category")
        # Said in the definition when it is not the default (care.sharing.grid_category).
        if hasattr(self, "definition") and category not in ("", None, DEFAULT):
            self.definition["category"] = category
        return cleaned
