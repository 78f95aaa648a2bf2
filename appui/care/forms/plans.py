"""Forms of the PPCS pages. They only read input; the rules live in `appui.care.plans`, whose
French refusals `add_errors` puts next to the field. Every form editing a draft carries the
version's `lock_version` (optimistic locking)."""

from django import forms
from django.core.exceptions import ValidationError
from dsfr.forms import DsfrBaseForm
from dsfr.widgets import InlineRadioSelect

from appui.directory.models import Service
from appui.directory.search import SearchParams, search_services
from appui.intake.search import search_professionals
from appui.persons.models import Carer
from appui.territory.models import Professional

from .. import plans
from ..enums import ActionKind, ActionStatus, AssessmentDomain, GoalStatus
from ..models import CarePlanVersion, Goal, Need

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
#: How many services and professionals a responsible search offers.
SEARCH_HITS = 8
OTHER = "other"


def add_errors(form, error: ValidationError) -> None:
    """Put a service's refusal next to the field it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _date(label, required=False, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE_WIDGET,
        help_text=help_text,
        error_messages={"invalid": "Date invalide.", "required": "Indiquez la date."},
    )


def _channel(label):
    return forms.ChoiceField(
        label=label,
        choices=[("", "Choisir")] + [(c.value, c.label) for c in plans.RECORDED_CHANNELS],
        error_messages={"required": "Indiquez comment."},
    )


class LockedForm(DsfrBaseForm):
    """A form editing a draft: it carries the version it was built from."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, version: CarePlanVersion, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("lock_version", version.lock_version)
        self.version = version
        super().__init__(*args, **kwargs)


class SynthesisForm(LockedForm):
    situation = forms.CharField(
        label="Synthèse de la situation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Le contexte en quelques lignes : santé, autonomie, entourage, logement, droits.",
    )
    wishes = forms.CharField(
        label="Attentes et projet de la personne",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Avec ses mots, si possible.",
    )
    preferences = forms.CharField(
        label="Préférences de la personne",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ce qu'elle souhaite, ce qu'elle refuse, ses habitudes.",
    )
    difficulties = forms.CharField(
        label="Difficultés",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Contexte médical, social, psychologique, autonomie : ce qui peut freiner le plan.",
    )
    useful_contacts = forms.CharField(
        label="Contacts utiles",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Numéros à connaître en cas de besoin (astreinte, voisin, tutelle…).",
    )
    review_on = _date(
        "Date de révision",
        help_text="Au plus tard dans un an, ou plus tôt si la situation l'exige.",
    )

    def __init__(self, *args, version, **kwargs):
        kwargs.setdefault("initial", {})
        for name in plans.EDITABLE_FIELDS:
            kwargs["initial"].setdefault(name, getattr(version, name))
        super().__init__(*args, version=version, **kwargs)

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in plans.EDITABLE_FIELDS}


class NeedForm(LockedForm):
    domain = forms.ChoiceField(
        label="Domaine",
        choices=[("", "Choisir")] + AssessmentDomain.choices,
        error_messages={"required": "Choisissez le domaine."},
    )
    description = forms.CharField(
        label="Problème ou besoin non couvert",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Décrivez le problème ou le besoin."},
    )

    def __init__(self, *args, version, need: Need | None = None, **kwargs):
        if need is not None:
            kwargs.setdefault("initial", {})
            kwargs["initial"].update(domain=need.domain, description=need.description)
        super().__init__(*args, version=version, **kwargs)


class GoalForm(LockedForm):
    title = forms.CharField(
        label="Objectif",
        max_length=255,
        help_text="Un objectif partagé avec la personne, formulé simplement.",
        error_messages={"required": "Formulez l'objectif."},
    )
    position = forms.IntegerField(
        label="Priorité",
        min_value=1,
        required=False,
        help_text="1 = l'objectif le plus prioritaire. Vide : à la suite des autres.",
        error_messages={"min_value": "La priorité commence à 1."},
    )
    needs = forms.ModelMultipleChoiceField(
        label="Répond aux besoins",
        queryset=Need.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, version, goal: Goal | None = None, **kwargs):
        kwargs.setdefault("initial", {})
        if goal is not None:
            kwargs["initial"].update(
                title=goal.title,
                position=goal.position,
                needs=[n.pk for n in goal.needs.all()],
            )
        super().__init__(*args, version=version, **kwargs)
        self.fields["needs"].queryset = version.needs.all()
        self.fields["needs"].label_from_instance = lambda need: (
            f"{need.get_domain_display()} — {need.description}"
        )

    def values(self) -> dict:
        data = self.cleaned_data
        return {"title": data["title"], "needs": list(data["needs"]), "position": data["position"]}


class ResponsibleChoices:
    """Who may carry out an action, as `<select>` groups: the person's carers, the DAC's team,
    those already named in the plan (and the médecin traitant), the directory search hits."""

    def __init__(self, version: CarePlanVersion, membership, query: str = ""):
        self.version, self.membership, self.query = version, membership, (query or "").strip()
        episode = version.plan.episode
        self.episode = episode
        self.objects: dict[str, object] = {}
        self.groups: list[tuple[str, list[tuple[str, str]]]] = []
        self.hits: list[str] = []

    @staticmethod
    def token(obj) -> str:
        kind = {Service: "service", Professional: "professional", Carer: "carer"}.get(type(obj))
        return f"{kind or 'user'}:{obj.pk}"

    @staticmethod
    def label(obj) -> str:
        if isinstance(obj, Service):
            provider = obj.provider_name
            return f"{obj.name} — {provider}" if provider else obj.name
        if isinstance(obj, Professional):
            return f"{obj.display_name} — {obj.get_profession_display()}"
        if isinstance(obj, Carer):
            roles = f", {obj.roles_label}" if obj.roles_label else ""
            return f"{obj} — {obj.get_relationship_display()}{roles}"
        return f"{obj.get_full_name() or obj.email} — équipe du DAC"

    def _group(self, title: str, objects) -> None:
        options = []
        for obj in objects:
            token = self.token(obj)
            if token in self.objects:
                continue
            self.objects[token] = obj
            options.append((token, self.label(obj)))
        if options:
            self.groups.append((title, options))

    def build(self, selected: str = "") -> list:
        episode = self.episode
        self._group("Proches de la personne", Carer.objects.filter(person_id=episode.person_id))
        self._group("Équipe du DAC", plans.staff_of(episode.dac_id))
        known = []
        person = episode.person
        if person.gp_id:
            known.append(person.gp)
        for action in self.version.actions.select_related(
            "responsible_service__organisation",
            "responsible_service__professional",
            "responsible_professional",
        ):
            known.append(action.responsible_service or action.responsible_professional)
        self._group("Déjà cités dans ce PPCS", [obj for obj in known if obj is not None])
        if selected and selected not in self.objects and selected != OTHER:
            chosen = self.resolve(selected)
            if chosen is not None:
                self._group("Choix actuel", [chosen])
        if self.query:
            before = len(self.objects)
            services = search_services(SearchParams(q=self.query, commune=person.commune))
            self._group(
                f"Répertoire : services pour « {self.query} »",
                list(services.select_related("organisation", "professional")[:SEARCH_HITS]),
            )
            found, _ = search_professionals(self.membership, self.query)
            self._group(f"Répertoire : professionnels pour « {self.query} »", found)
            self.hits = list(self.objects)[before:]
        return [
            ("", "Choisir"),
            *self.groups,
            (OTHER, "Autre responsable (à préciser ci-dessous)"),
        ]

    def resolve(self, token: str):
        """The object a posted token names, if it may be chosen here (else None)."""
        if token in self.objects:
            return self.objects[token]
        kind, _, pk = (token or "").partition(":")
        if not pk.isdigit():
            return None
        if kind == "service":
            return (
                Service.objects.select_related("organisation", "professional").filter(pk=pk).first()
            )
        if kind == "professional":
            return Professional.objects.filter(pk=pk).first()
        if kind == "carer":
            return Carer.objects.filter(pk=pk, person_id=self.episode.person_id).first()
        if kind == "user":
            return plans.staff_of(self.episode.dac_id).filter(pk=pk).first()
        return None

    def first_hit(self) -> str:
        return self.hits[0] if self.hits else ""


class ActionForm(LockedForm):
    goal = forms.ModelChoiceField(
        label="Objectif",
        queryset=Goal.objects.none(),
        empty_label="Choisir",
        error_messages={"required": "Choisissez l'objectif auquel l'action répond."},
    )
    kind = forms.ChoiceField(
        label="Type d'action",
        choices=ActionKind.choices,
        widget=InlineRadioSelect,
        help_text="Dans l'ordre de recours : la prévention d'abord.",
        error_messages={"required": "Choisissez le type d'action."},
    )
    description = forms.CharField(
        label="Action",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Ce qui est fait, concrètement.",
        error_messages={"required": "Décrivez l'action."},
    )
    responsible_q = forms.CharField(
        label="Chercher dans le répertoire",
        required=False,
        help_text="Un service, une structure ou un·e professionnel·le : nom, activité, RPPS.",
    )
    responsible = forms.ChoiceField(
        label="Qui fait l'action",
        error_messages={"required": "Choisissez qui fait l'action."},
    )
    responsible_label = forms.CharField(
        label="Autre responsable",
        required=False,
        max_length=200,
        help_text="Si le responsable n'est dans aucune liste : son nom et sa fonction.",
    )
    starts_on = _date("Début")
    due_on = _date("Échéance")
    periodicity = forms.CharField(
        label="Périodicité",
        required=False,
        max_length=100,
        help_text="Ex. : tous les jours, deux fois par semaine, tous les trois mois.",
    )

    def __init__(self, *args, version, membership, action=None, goal=None, query="", **kwargs):
        kwargs.setdefault("initial", {})
        if action is not None:
            kwargs["initial"].update(
                goal=action.goal_id,
                kind=action.kind,
                description=action.description,
                responsible=self._token_of(action),
                responsible_label=action.responsible_label,
                starts_on=action.starts_on,
                due_on=action.due_on,
                periodicity=action.periodicity,
            )
        elif goal is not None:
            kwargs["initial"]["goal"] = goal.pk
        super().__init__(*args, version=version, **kwargs)
        self.fields["goal"].queryset = version.goals.all()
        self.fields["goal"].label_from_instance = lambda g: f"{g.position}. {g.title}"
        data = self.data if self.is_bound else {}
        query = data.get("responsible_q", query) if self.is_bound else query
        selected = data.get("responsible") if self.is_bound else self.initial.get("responsible")
        self.responsibles = ResponsibleChoices(version, membership, query)
        self.fields["responsible"].choices = self.responsibles.build(selected or "")
        if query and not self.is_bound:
            self.initial["responsible_q"] = query
            if self.responsibles.hits:
                self.initial["responsible"] = self.responsibles.first_hit()

    @staticmethod
    def _token_of(action) -> str:
        for field, kind in (
            ("responsible_service_id", "service"),
            ("responsible_professional_id", "professional"),
            ("responsible_carer_id", "carer"),
            ("responsible_user_id", "user"),
        ):
            pk = getattr(action, field)
            if pk:
                return f"{kind}:{pk}"
        return OTHER if action.responsible_label else ""

    def clean(self):
        data = super().clean()
        token = data.get("responsible")
        if token and token != OTHER:
            data["responsible_object"] = self.responsibles.resolve(token)
            if data["responsible_object"] is None:
                self.add_error("responsible", "Ce responsable ne peut pas être choisi ici.")
        else:
            data["responsible_object"] = None
            if token == OTHER and not (data.get("responsible_label") or "").strip():
                self.add_error(
                    "responsible_label", "Indiquez le nom et la fonction du responsable."
                )
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        obj = data["responsible_object"]
        return {
            "goal": data["goal"],
            "kind": data["kind"],
            "description": data["description"],
            "responsible": obj,
            "responsible_label": "" if obj is not None else data.get("responsible_label", ""),
            "starts_on": data["starts_on"],
            "due_on": data["due_on"],
            "periodicity": data["periodicity"],
        }


class ConfirmForm(LockedForm):
    """Removing an item, submitting: the version the user saw."""


class ReopenForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Pourquoi reprendre le PPCS ?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ex. : le médecin traitant demande d'ajouter une consultation.",
        error_messages={"required": "Indiquez pourquoi le PPCS est repris."},
    )


class GpValidationForm(DsfrBaseForm):
    """The médecin traitant validates in Appui."""

    comment = forms.CharField(
        label="Commentaire",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Une remarque pour l'équipe du DAC et les intervenants.",
    )


class RecordedValidationForm(DsfrBaseForm):
    """Staff record a validation received from the médecin traitant."""

    validated_on = _date("Validé par le médecin traitant le", required=True)
    channel = _channel("Validation reçue")
    comment = forms.CharField(
        label="Remarques du médecin traitant",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AgreementForm(DsfrBaseForm):
    agreed_on = _date("Accord donné le", required=True)
    how = _channel("Accord recueilli")
    by = forms.ChoiceField(
        label="Accord donné par",
        error_messages={"required": "Indiquez qui a donné son accord."},
    )
    by_other = forms.CharField(
        label="Autre personne (nom et lien)",
        required=False,
        max_length=150,
    )

    def __init__(self, *args, person, carers, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("person", f"{person.display_name}, la personne elle-même")]
        self._carers = {}
        for carer in carers:
            key = f"carer:{carer.pk}"
            label = f"{carer} ({carer.get_relationship_display().lower()}"
            if carer.is_legal_representative:
                label += ", représentant·e légal·e"
            label += ")"
            self._carers[key] = label
            choices.append((key, label))
        choices.append((OTHER, "Une autre personne"))
        self.fields["by"].choices = choices
        self.fields["by"].initial = "person"
        self.person = person

    def by_label(self) -> str:
        value = self.cleaned_data["by"]
        if value == "person":
            return f"{self.person.display_name} (la personne elle-même)"
        if value == OTHER:
            return self.cleaned_data.get("by_other", "").strip()
        return self._carers.get(value, "")

    def clean(self):
        data = super().clean()
        if data.get("by") == OTHER and not (data.get("by_other") or "").strip():
            self.add_error("by_other", "Indiquez le nom de la personne et son lien.")
        return data


class ActionStatusForm(DsfrBaseForm):
    status = forms.ChoiceField(
        label="Statut",
        choices=ActionStatus.choices,
        widget=InlineRadioSelect,
        error_messages={"required": "Choisissez un statut."},
    )
    reason = forms.CharField(
        label="Motif de non-réalisation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire si l'action n'a pas été réalisée.",
    )

    def __init__(self, *args, action, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("status", action.status)
        kwargs["initial"].setdefault("reason", action.not_done_reason)
        super().__init__(*args, **kwargs)


class GoalStatusForm(DsfrBaseForm):
    status = forms.ChoiceField(
        label="Statut de l'objectif",
        choices=GoalStatus.choices,
        widget=InlineRadioSelect,
        error_messages={"required": "Choisissez où en est l'objectif."},
    )

    def __init__(self, *args, goal, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("status", goal.status)
        super().__init__(*args, **kwargs)


class CompareForm(DsfrBaseForm):
    old = forms.TypedChoiceField(label="Version", coerce=int)
    new = forms.TypedChoiceField(label="comparée à la version", coerce=int)

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v.number, f"Version {v.number} — {v.get_status_display()}") for v in versions]
        self.fields["old"].choices = choices
        self.fields["new"].choices = choices
