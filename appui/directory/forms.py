import re

from django import forms
from dsfr.forms import DsfrBaseForm

from appui.core.forms import FilterForm
from appui.territory.enums import Sector
from appui.territory.forms import CommuneChoiceField
from appui.territory.models import Commune

from .enums import (
    PUBLICS,
    THEMES,
    AccessCondition,
    Fees,
    ImportFormat,
    MobilisationMode,
    MobilisedBy,
    ReceptionMode,
    is_zone_code,
    theme_choices,
)
from .models import Service, UnmetNeed
from .search import MAX_RADIUS_KM, SearchParams

PUBLIC_CHOICES = [("", "Tous")] + sorted(PUBLICS.items(), key=lambda item: item[1])


class ServiceSearchForm(FilterForm):
    q = forms.CharField(
        label="Que cherchez-vous ?",
        required=False,
        help_text="Ex. : portage de repas, téléassistance, SSIAD, psychologue…",
    )
    commune = CommuneChoiceField(
        label="Commune de la personne",
        required=False,
        help_text="Nom exact ou code Insee : classe par distance et dit si le service y intervient.",
    )
    only_covering = forms.BooleanField(
        label="Seulement les services qui interviennent dans cette commune", required=False
    )
    theme = forms.ChoiceField(label="Thématique", required=False)
    public = forms.ChoiceField(label="Public", required=False, choices=PUBLIC_CHOICES)
    sector = forms.ChoiceField(
        label="Secteur", required=False, choices=[("", "Tous")] + Sector.choices
    )
    mode = forms.ChoiceField(
        label="Mode d'accueil", required=False, choices=[("", "Tous")] + ReceptionMode.choices
    )
    available_now = forms.BooleanField(
        label="Disponible maintenant (accepte de nouvelles personnes)", required=False
    )
    to_verify = forms.BooleanField(label="À vérifier (plus de 12 mois)", required=False)
    mine = forms.BooleanField(label="Seulement les services que je peux modifier", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", "Toutes")] + theme_choices()

    def params(self) -> SearchParams:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return SearchParams(
            q=data.get("q", ""),
            theme=data.get("theme", ""),
            public=data.get("public", ""),
            sector=data.get("sector", ""),
            mode=data.get("mode", ""),
            commune=data.get("commune"),
            only_covering=bool(data.get("only_covering")),
            available_now=bool(data.get("available_now")),
        )


def _multiple(label, choices, help_text=""):
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class ServiceForm(DsfrBaseForm, forms.ModelForm):
    themes = forms.MultipleChoiceField(
        label="Thématiques",
        choices=[],
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text="Une ou plusieurs (Ctrl ou Cmd + clic pour en choisir plusieurs).",
    )
    publics = _multiple(
        "Publics", sorted(PUBLICS.items(), key=lambda i: i[1]), "Aucun coché : tous publics."
    )
    access_conditions = _multiple("Conditions d'accès", AccessCondition.choices)
    reception_modes = _multiple("Modes d'accueil", ReceptionMode.choices)
    mobilised_by = _multiple("Qui peut le mobiliser ?", MobilisedBy.choices)
    mobilisation_modes = _multiple("Comment le mobiliser ?", MobilisationMode.choices)
    zone_codes = forms.CharField(
        label="Zone d'intervention",
        required=False,
        help_text="Codes Insee des communes, SIREN d'EPCI, numéros de département ou « france », "
        "séparés par des virgules. Ex. : 59501, 59526 ou 59.",
    )
    commune = CommuneChoiceField(label="Commune", required=False)
    fees = forms.ChoiceField(
        label="Frais", required=False, choices=[("", "Non précisé")] + Fees.choices
    )
    mobilisation_link = forms.URLField(
        label="Lien de mobilisation", required=False, assume_scheme="https"
    )
    website = forms.URLField(label="Site internet", required=False, assume_scheme="https")
    verified = forms.BooleanField(
        label="J'ai vérifié que ces informations sont à jour",
        required=False,
        initial=True,
    )

    class Meta:
        model = Service
        fields = [
            "name",
            "description",
            "sector",
            "themes",
            "publics",
            "age_min",
            "age_max",
            "publics_details",
            "access_conditions",
            "access_details",
            "fees",
            "fees_details",
            "zone_codes",
            "radius_km",
            "reception_modes",
            "mobilised_by",
            "mobilisation_modes",
            "mobilisation_details",
            "mobilisation_link",
            "address",
            "postal_code",
            "commune",
            "phone",
            "phone_2",
            "email",
            "website",
            "opening_hours",
            "accepting",
            "waiting_days",
            "availability_note",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "access_details": forms.Textarea(attrs={"rows": 2}),
            "mobilisation_details": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = theme_choices()
        if self.instance.pk:
            self.initial["zone_codes"] = ", ".join(self.instance.zone_codes)
            self.initial["commune"] = (
                self.instance.commune.insee_code if self.instance.commune_id else ""
            )

    def clean_zone_codes(self):
        raw = self.cleaned_data.get("zone_codes", "")
        codes = [c.strip() for c in re.split(r"[,;\s]+", raw) if c.strip()]
        codes = ["france" if c.lower() == "france" else c.upper() for c in codes]
        invalid = [c for c in codes if not is_zone_code(c)]
        if invalid:
            raise forms.ValidationError(
                "Code non reconnu : " + ", ".join(invalid) + ". Utilisez des codes Insee (5 "
                "caractères), des SIREN d'EPCI (9 chiffres), des départements ou « france »."
            )
        communes = [c for c in codes if len(c) == 5]
        known = set(
            Commune.objects.filter(insee_code__in=communes).values_list("insee_code", flat=True)
        )
        unknown = [c for c in communes if c not in known]
        if unknown:
            raise forms.ValidationError("Commune inconnue : " + ", ".join(unknown) + ".")
        return list(dict.fromkeys(codes))

    def clean_radius_km(self):
        radius = self.cleaned_data.get("radius_km")
        if radius is not None and not 0 < radius <= MAX_RADIUS_KM:
            raise forms.ValidationError(
                f"Le rayon doit être compris entre 0 et {MAX_RADIUS_KM} km."
            )
        return radius

    def clean_themes(self):
        themes = self.cleaned_data.get("themes", [])
        return [t for t in themes if t in THEMES]


class UnmetNeedForm(DsfrBaseForm, forms.ModelForm):
    theme = forms.ChoiceField(label="Besoin (thématique)", choices=[])
    commune = CommuneChoiceField(label="Commune de la personne", required=True)
    public = forms.ChoiceField(label="Public", required=False, choices=PUBLIC_CHOICES)

    class Meta:
        model = UnmetNeed
        fields = ["theme", "commune", "public", "description", "search_query", "noted_on"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "search_query": forms.HiddenInput,
            "noted_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "description": "Ce qui manque et pourquoi les ressources trouvées ne conviennent pas "
            "(sans nom ni donnée de santé de la personne).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", "Choisir une thématique")] + theme_choices()


class UnmetNeedFilterForm(FilterForm):
    start = forms.DateField(
        label="Du",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label="Au",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    theme = forms.ChoiceField(label="Thématique", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", "Toutes")] + theme_choices()

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "La fin de la période doit suivre son début.")
        return data


class ImportForm(DsfrBaseForm):
    format = forms.ChoiceField(label="Format du fichier", choices=ImportFormat.choices)
    file = forms.FileField(label="Fichier")
    skip_invalid = forms.BooleanField(
        label="Enregistrer les lignes valides même si d'autres sont rejetées",
        required=False,
        help_text="Sinon, une seule ligne rejetée et rien n'est enregistré.",
    )

    MAX_SIZE = 300 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_SIZE:
            raise forms.ValidationError("Fichier trop volumineux (300 Mo au plus).")
        return upload
