from django import forms
from dsfr.forms import DsfrBaseForm

from appui.core.forms import FilterForm
from appui.core.identifiers import compact

from .enums import OrganisationKind, Profession
from .models import Commune, Professional


class CommuneChoiceField(forms.CharField):
    """A commune typed as its Insee code or its exact name (the list is too long for a select)."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        value = value.strip()
        commune = Commune.objects.filter(insee_code=value).first()
        if commune is None:
            matches = list(Commune.objects.filter(name__iexact=value)[:2])
            if len(matches) == 1:
                commune = matches[0]
            elif len(matches) > 1:
                raise forms.ValidationError(
                    "Plusieurs communes portent ce nom : indiquez le code Insee."
                )
        if commune is None:
            raise forms.ValidationError(
                "Commune inconnue : saisissez son nom exact ou son code Insee."
            )
        return commune


# Professions without an RPPS/ADELI number (social professions, care assistants).
NO_HEALTH_NUMBER = {
    None,
    "",
    Profession.SOCIAL_WORKER,
    Profession.SOCIAL_EDUCATOR,
    Profession.OTHER,
    Profession.CARE_ASSISTANT,
}


class ProfessionalForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Professional
        fields = [
            "civility",
            "title",
            "first_name",
            "last_name",
            "profession",
            "specialty",
            "rpps",
            "adeli",
            "email",
            "mssante_address",
            "phone",
        ]

    def clean_rpps(self):
        return compact(self.cleaned_data.get("rpps", ""))

    def clean_adeli(self):
        return compact(self.cleaned_data.get("adeli", ""))

    def clean(self):
        data = super().clean()
        needs_number = data.get("profession") not in NO_HEALTH_NUMBER
        if needs_number and not (data.get("rpps") or data.get("adeli")):
            self.add_error(
                "rpps", "Indiquez le numéro RPPS (ou ADELI) de ce professionnel de santé."
            )
        rpps = data.get("rpps")
        if rpps:
            clash = Professional.objects.filter(rpps=rpps)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(
                    "rpps", "Ce numéro RPPS est déjà enregistré pour un autre professionnel."
                )
        return data


class DirectorySearchForm(FilterForm):
    q = forms.CharField(label="Nom, ville, numéro FINESS ou RPPS", required=False)
    kind = forms.ChoiceField(
        label="Type de structure", required=False, choices=[("", "Tous")] + OrganisationKind.choices
    )
    profession = forms.ChoiceField(
        label="Profession", required=False, choices=[("", "Toutes")] + Profession.choices
    )


class CommuneImportForm(DsfrBaseForm):
    cog = forms.FileField(
        label="Fichier COG des communes (CSV)",
        help_text="Colonnes TYPECOM, COM, DEP, REG, LIBELLE (fichier « communes » du COG de l'Insee).",
    )
    geo = forms.FileField(
        label="Fichier complémentaire (facultatif)",
        required=False,
        help_text="Codes postaux, centre (latitude, longitude) et EPCI par code Insee.",
    )

    MAX_SIZE = 20 * 1024 * 1024

    def clean(self):
        data = super().clean()
        for name in ("cog", "geo"):
            upload = data.get(name)
            if upload and upload.size > self.MAX_SIZE:
                self.add_error(name, "Fichier trop volumineux (20 Mo au plus).")
        return data
