"""Forms of the request page: assignment, screening, answer, agreement, referral decision,
closing, contact, information of the GP. They only read input; the rules live in the services
(`workflow`, `screening`, `services`), whose French refusals `add_errors` puts next to the field."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from appui.core.forms import FilterForm
from appui.core.identifiers import compact
from appui.directory.enums import PUBLICS, theme_choices
from appui.directory.models import Service
from appui.territory.forms import CommuneChoiceField
from appui.territory.models import Organisation, Professional

from . import screening
from .enums import Answer, ContactKind, GpInformationChannel, IntensityLevel, ResponseType

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_errors(form, error: ValidationError) -> None:
    """Put a service's refusal next to the field it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def now_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


class OrganisationChoiceField(forms.CharField):
    """A structure typed as its FINESS, SIRET or exact name (the list is too long for a select)."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        code = compact(value)
        found = []
        if code.isdigit() and len(code) in (9, 14):
            found = list(
                Organisation.objects.filter(
                    Q(finess_et=code) | Q(finess_ej=code) | Q(siret=code)
                ).order_by("pk")[:2]
            )
        if not found:
            found = list(Organisation.objects.filter(name__iexact=value.strip())[:2])
        if len(found) > 1:
            raise ValidationError(
                "Plusieurs structures correspondent : indiquez le numéro FINESS ou SIRET."
            )
        if not found:
            raise ValidationError(
                "Structure inconnue du répertoire : saisissez son nom exact, son FINESS ou son "
                "SIRET (ou ajoutez-la d'abord au répertoire)."
            )
        return found[0]


class ProfessionalChoiceField(forms.CharField):
    """A professional of the directory typed as RPPS, ADELI or exact "Prénom Nom"."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        code = compact(value)
        found = []
        if code.isdigit() and len(code) == 11:
            found = list(Professional.objects.filter(rpps=code)[:2])
        elif len(code) == 9:
            found = list(Professional.objects.filter(adeli=code.upper())[:2])
        if not found:
            words = value.split()
            for cut in range(1, len(words)):
                first, last = " ".join(words[:cut]), " ".join(words[cut:])
                found += list(
                    Professional.objects.filter(
                        Q(first_name__iexact=first, last_name__iexact=last)
                        | Q(first_name__iexact=last, last_name__iexact=first)
                    )[:2]
                )
        found = list({p.pk: p for p in found}.values())
        if len(found) > 1:
            raise ValidationError("Plusieurs professionnels portent ce nom : indiquez le RPPS.")
        if not found:
            raise ValidationError(
                "Professionnel·le introuvable dans le répertoire : saisissez son RPPS, son ADELI "
                "ou ses prénom et nom exacts — ou laissez vide et écrivez son nom dans « Avec qui »."
            )
        return found[0]


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email


class AssignForm(DsfrBaseForm):
    user = UserChoiceField(label="Attribuer à", queryset=None, empty_label="Choisir")

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


class CloseForm(DsfrBaseForm):
    note = forms.CharField(
        label="Note de clôture",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ce qui a été fait, ce qui reste à surveiller (facultatif).",
    )


class ScreeningForm(FilterForm):
    """Every box is optional: no "(Optionnel)" mark on each (see FilterForm)."""

    several_categories = forms.BooleanField(
        label=screening.LEGAL_TEST_LABEL,
        required=False,
        help_text="Le critère légal de la complexité (art. L6327-1 du code de la santé publique).",
    )
    medical = forms.MultipleChoiceField(
        label=screening.GROUPS["medical"],
        required=False,
        choices=screening.group_choices("medical"),
        widget=forms.CheckboxSelectMultiple,
    )
    psycho_social = forms.MultipleChoiceField(
        label=screening.GROUPS["psycho_social"],
        required=False,
        choices=screening.group_choices("psycho_social"),
        widget=forms.CheckboxSelectMultiple,
    )
    context = forms.MultipleChoiceField(
        label=screening.GROUPS["context"],
        required=False,
        choices=screening.group_choices("context"),
        widget=forms.CheckboxSelectMultiple,
    )
    justification = forms.CharField(
        label="Justification",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Pourquoi la situation est (ou n'est pas) complexe, en quelques phrases.",
    )

    def criteria(self) -> list[str]:
        data = self.cleaned_data
        return [*data["medical"], *data["psycho_social"], *data["context"]]


class ServiceChoiceField(forms.ModelMultipleChoiceField):
    """Services labelled with their provider, commune and, after a search, their coverage."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.notes = {}

    def label_from_instance(self, obj):
        parts = [obj.name, obj.provider_name, obj.commune.name if obj.commune_id else ""]
        label = " — ".join(part for part in parts if part)
        note = self.notes.get(obj.pk)
        return f"{label} ({note})" if note else label


PUBLIC_CHOICES = [("", "Tous publics")] + sorted(PUBLICS.items(), key=lambda item: item[1])


class ResponseForm(DsfrBaseForm):
    """One form for every answer; the conditional parts are grouped by the page."""

    response_type = forms.ChoiceField(
        label="Réponse", choices=ResponseType.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label="Réponse apportée",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Ce qui a été dit, proposé ou organisé. Le professionnel qui a fait la demande "
        "en ligne voit ce résumé : pas de détail médical inutile.",
    )
    given_at = forms.DateTimeField(
        label="Date de la réponse", widget=DATETIME_WIDGET, initial=now_minute
    )
    level = forms.ChoiceField(
        label="Niveau d'intensité retenu",
        required=False,
        choices=[("", "Non précisé")] + IntensityLevel.choices,
        help_text="Pré-rempli avec la suggestion du repérage ; obligatoire pour un "
        "accompagnement ou une gestion de cas.",
    )
    case_manager = UserChoiceField(
        label="Gestionnaire de cas", required=False, queryset=None, empty_label="Choisir"
    )
    q = forms.CharField(
        label="Chercher une ressource du répertoire",
        required=False,
        help_text="Ex. : portage de repas, téléassistance, SSIAD… Les services qui interviennent "
        "dans la commune de la personne viennent en premier.",
    )
    services = ServiceChoiceField(
        label="Ressources proposées",
        required=False,
        queryset=Service.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    need_theme = forms.ChoiceField(label="Besoin non couvert : thématique", required=False)
    need_commune = CommuneChoiceField(
        label="Commune concernée", required=False, help_text="Nom exact ou code Insee."
    )
    need_public = forms.ChoiceField(label="Public", required=False, choices=PUBLIC_CHOICES)
    need_description = forms.CharField(
        label="Précisions sur le besoin",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Sans nom ni donnée de santé : ce constat sert au diagnostic territorial.",
    )
    referral_organisation = OrganisationChoiceField(
        label="Structure vers laquelle la demande est réorientée",
        required=False,
        help_text="Nom exact, numéro FINESS ou SIRET.",
        widget=forms.TextInput(attrs={"list": "appui-structures", "autocomplete": "off"}),
    )

    def __init__(self, *args, service_ids=(), case_managers=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Ticked services first, then the search's ranking (covering the person's commune first).
        service_ids = list(service_ids)
        rank = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(service_ids)])
        self.fields["services"].queryset = (
            Service.objects.filter(pk__in=service_ids)
            .select_related("organisation", "professional", "commune")
            .order_by(rank if service_ids else "pk")
        )
        self.fields["case_manager"].queryset = case_managers
        self.fields["need_theme"].choices = [("", "Aucun besoin non couvert")] + theme_choices()

    def clean(self):
        data = super().clean()
        theme = data.get("need_theme")
        if theme and not data.get("need_commune") and "need_commune" not in self.errors:
            self.add_error("need_commune", "Indiquez la commune où la ressource manque.")
        # The commune comes pre-filled with the person's: only a public or a description
        # without a theme shows an unmet need begun and left unfinished.
        if not theme and (data.get("need_public") or data.get("need_description")):
            self.add_error("need_theme", "Choisissez la thématique du besoin non couvert.")
        return data

    def unmet_needs(self) -> list[dict]:
        data = self.cleaned_data
        if not data.get("need_theme"):
            return []
        return [
            {
                "theme": data["need_theme"],
                "commune": data["need_commune"],
                "public": data.get("need_public", ""),
                "description": data.get("need_description", ""),
            }
        ]


class AgreementForm(DsfrBaseForm):
    answer = forms.ChoiceField(
        label="La personne accepte-t-elle que le DAC s'occupe de sa situation ?",
        choices=[(Answer.YES, "Oui, elle accepte"), (Answer.NO, "Non, elle refuse")],
        widget=forms.RadioSelect,
    )
    on = forms.DateField(label="Recueilli le", widget=DATE_WIDGET, initial=timezone.localdate)
    how = forms.CharField(
        label="Comment",
        required=False,
        max_length=200,
        help_text="Ex. : lors de la visite à domicile, par téléphone, par écrit.",
    )


class ReferralDecisionForm(DsfrBaseForm):
    accepted = forms.ChoiceField(
        label="Réponse de la structure",
        choices=[("yes", "Elle accepte la réorientation"), ("no", "Elle la refuse")],
        widget=forms.RadioSelect,
    )
    on = forms.DateField(label="Le", widget=DATE_WIDGET, initial=timezone.localdate)


class ContactForm(DsfrBaseForm):
    kind = forms.ChoiceField(label="Type", choices=[("", "Choisir")] + ContactKind.choices)
    at = forms.DateTimeField(label="Le", widget=DATETIME_WIDGET, initial=now_minute)
    with_whom = forms.CharField(
        label="Avec qui",
        required=False,
        max_length=200,
        help_text="Nom et qualité (ex. : Mme Roux, fille de la personne). Facultatif si un "
        "professionnel du répertoire est indiqué.",
    )
    with_professional = ProfessionalChoiceField(
        label="Professionnel·le du répertoire",
        required=False,
        help_text="RPPS, ADELI ou prénom et nom exacts.",
    )
    purpose = forms.CharField(label="Objet", max_length=255)
    outcome = forms.CharField(
        label="Suite donnée", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    duration_minutes = forms.IntegerField(
        label="Durée (minutes)", required=False, min_value=1, max_value=24 * 60
    )


class GpSendingForm(DsfrBaseForm):
    channel = forms.ChoiceField(
        label="Envoyé par",
        choices=[("", "Choisir")] + GpInformationChannel.choices,
    )
    sent_at = forms.DateTimeField(label="Le", widget=DATETIME_WIDGET, initial=now_minute)
