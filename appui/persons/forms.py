import re

from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone
from dsfr.forms import DsfrBaseForm
from dsfr.widgets import InlineRadioSelect

from appui.core.forms import FilterForm
from appui.core.identifiers import INSEE_COMMUNE_RE, compact, validate_nir
from appui.territory.enums import Profession
from appui.territory.forms import CommuneChoiceField
from appui.territory.models import Commune, Professional

from . import names
from .enums import GpStatus, IdentityEvidence, IdentityStatus, LegalMeasure, NirKind, Sex
from .models import Carer, Person

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

#: the fields a link or another page may fill in advance (`/personnes/nouvelle/?birth_name=…`)
PREFILLABLE = (
    "birth_name",
    "used_name",
    "first_names",
    "first_name",
    "used_first_name",
    "sex",
    "birth_date",
    "birthplace_code",
    "birthplace_label",
    "address",
    "postal_code",
    "commune",
    "phone",
    "email",
)


def gp_label(professional: Professional) -> str:
    """How a physician is written in the médecin traitant field (and in its suggestions)."""
    if professional.rpps:
        return f"{professional.display_name} — RPPS {professional.rpps}"
    return f"{professional.display_name} — fiche n° {professional.pk}"


def person_label(person: Person) -> str:
    """How a person is written in a field that designates a record of the DAC."""
    return f"{person.display_name}, né·e le {person.birth_date:%d/%m/%Y} — dossier n° {person.pk}"


def autocomplete(url_name: str, datalist_id: str, **attrs) -> forms.TextInput:
    """A text input suggesting values as one types (htmx fills the `<datalist>` of the page)."""
    return forms.TextInput(
        attrs={
            "list": datalist_id,
            "autocomplete": "off",
            "hx-get": reverse_lazy(url_name),
            "hx-trigger": "input changed delay:250ms",
            "hx-target": f"#{datalist_id}",
            "hx-swap": "innerHTML",
            **attrs,
        }
    )


def physicians():
    return Professional.objects.filter(profession=Profession.PHYSICIAN)


class GpField(forms.CharField):
    """A physician of the directory, typed by name or RPPS (suggestions as one types)."""

    RPPS_IN = re.compile(r"\b(\d{11})\b")
    REF_IN = re.compile(r"fiche n°\s*(\d+)")

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        if match := self.RPPS_IN.search(value):
            found = list(Professional.objects.filter(rpps=match.group(1))[:1])
            if not found:
                raise forms.ValidationError(
                    "Aucun professionnel du répertoire n'a ce numéro RPPS. Vérifiez-le, ou "
                    "ajoutez ce médecin au répertoire."
                )
        elif match := self.REF_IN.search(value):
            found = list(Professional.objects.filter(pk=int(match.group(1)))[:1])
        else:
            words = [w for w in re.split(r"[\s,]+", value) if w and w.lower() not in {"dr", "pr"}]
            queryset = physicians()
            for word in words:
                queryset = queryset.filter(
                    Q(last_name__icontains=word) | Q(first_name__icontains=word)
                )
            found = list(queryset[:2])
            if len(found) > 1:
                raise forms.ValidationError(
                    "Plusieurs médecins correspondent : choisissez dans la liste proposée ou "
                    "indiquez le numéro RPPS."
                )
        if not found:
            raise forms.ValidationError(
                "Aucun médecin de ce nom dans le répertoire : vérifiez l'orthographe, indiquez son "
                "numéro RPPS, ou ajoutez-le au répertoire."
            )
        if found[0].profession != Profession.PHYSICIAN:
            raise forms.ValidationError("Ce professionnel n'est pas médecin.")
        return found[0]


class PersonForm(DsfrBaseForm, forms.ModelForm):
    first_name = forms.CharField(
        label="Premier prénom de naissance",
        max_length=100,
        required=False,
        help_text="Le premier des prénoms de naissance (déduit de la liste s'il est laissé vide).",
    )
    sex = forms.ChoiceField(label="Sexe", choices=Sex.choices, widget=InlineRadioSelect)
    birth_date = forms.DateField(label="Date de naissance", widget=DATE_WIDGET)
    nir = forms.CharField(
        label="Matricule INS (NIR ou NIA)",
        max_length=25,
        required=False,
        help_text="15 caractères, clé comprise ; les espaces sont acceptés.",
    )
    commune = CommuneChoiceField(
        label="Commune de résidence",
        required=False,
        help_text="Nom exact ou code Insee.",
    )
    gp_status = forms.ChoiceField(
        label="Médecin traitant",
        choices=[
            (GpStatus.KNOWN, "Connu : je le choisis dans le répertoire"),
            (GpStatus.UNKNOWN, "Inconnu à ce jour"),
            (GpStatus.NONE, "La personne n'a pas de médecin traitant"),
        ],
        initial=GpStatus.UNKNOWN,
        widget=forms.RadioSelect,
    )
    gp = GpField(
        label="Médecin du répertoire",
        required=False,
        help_text="Nom ou numéro RPPS ; choisissez dans les propositions.",
        widget=autocomplete("persons:gp_options", "gp-options"),
    )

    class Meta:
        model = Person
        fields = [
            "birth_name",
            "used_name",
            "first_names",
            "first_name",
            "used_first_name",
            "sex",
            "birth_date",
            "birthplace_code",
            "birthplace_label",
            "nir",
            "nir_kind",
            "address",
            "address_complement",
            "postal_code",
            "commune",
            "phone",
            "phone_2",
            "email",
            "lives_alone",
            "gp_status",
            "gp",
        ]
        labels = {"lives_alone": "Vit seul·e"}
        help_texts = {
            "birth_name": "Tel qu'il figure sur l'acte de naissance ou la pièce d'identité.",
            "used_name": "Nom d'usage (nom d'époux·se, par exemple), s'il diffère.",
            "birthplace_code": "Code Insee de la commune de naissance (ex. 59350, 2A004), ou "
            "code du pays (99xxx) pour une naissance à l'étranger.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        person = self.instance
        if person.pk:
            self.initial["commune"] = person.commune.insee_code if person.commune_id else ""
            self.initial["gp"] = gp_label(person.gp) if person.gp_id else ""

    def clean_birth_name(self):
        return names.tidy_family_name(self.cleaned_data["birth_name"])

    def clean_used_name(self):
        return names.tidy_family_name(self.cleaned_data.get("used_name", ""))

    def clean_first_names(self):
        return names.tidy(self.cleaned_data.get("first_names", ""))

    def clean_first_name(self):
        return names.tidy(self.cleaned_data.get("first_name", ""))

    def clean_used_first_name(self):
        return names.tidy(self.cleaned_data.get("used_first_name", ""))

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        if birth_date > timezone.localdate():
            raise forms.ValidationError("La date de naissance ne peut pas être dans le futur.")
        if birth_date.year < 1890:
            raise forms.ValidationError("Date de naissance invraisemblable : vérifiez l'année.")
        return birth_date

    def clean_birthplace_code(self):
        code = compact(self.cleaned_data.get("birthplace_code", ""))
        if code and not INSEE_COMMUNE_RE.match(code):
            raise forms.ValidationError(
                "Code invalide : 5 caractères, code Insee de la commune (ex. 59350, 2A004) ou "
                "code du pays (99xxx)."
            )
        return code

    def clean_nir(self):
        nir = compact(self.cleaned_data.get("nir", ""))
        if nir:
            validate_nir(nir)
        return nir

    def clean(self):
        data = super().clean()
        first_names, first_name = data.get("first_names", ""), data.get("first_name", "")
        if not first_name and first_names:
            data["first_name"] = first_name = first_names.split(" ")[0]
        if not first_name and "first_name" not in self.errors:
            self.add_error("first_name", "Indiquez le premier prénom de naissance.")
        elif first_names and not names.starts_with_first_name(first_names, first_name):
            self.add_error(
                "first_name",
                "Le premier prénom doit être le premier de la liste des prénoms de naissance.",
            )
        self._clean_birthplace_label(data)
        self._clean_nir_kind(data)
        self._clean_gp(data)
        return data

    def _clean_birthplace_label(self, data):
        code = data.get("birthplace_code")
        if code and not data.get("birthplace_label") and not code.startswith("99"):
            commune = Commune.objects.filter(insee_code=code).only("name").first()
            if commune:
                data["birthplace_label"] = commune.name

    def _clean_nir_kind(self, data):
        nir, kind = data.get("nir", ""), data.get("nir_kind", "")
        if kind and not nir and "nir" not in self.errors:
            self.add_error("nir", "Indiquez le matricule, ou laissez le type vide.")
        if nir and not kind:
            data["nir_kind"] = NirKind.NIA if nir[0] in "78" else NirKind.NIR
        if nir and data.get("nir_kind") == NirKind.NIR:
            self._check_nir_against_traits(nir, data)

    def _check_nir_against_traits(self, nir, data):
        """The NIR carries the sex and the year and month of birth: a mismatch usually means the
        number of someone else (the insured parent or spouse) was typed."""
        sex, birth_date = data.get("sex"), data.get("birth_date")
        if (
            sex in (Sex.FEMALE, Sex.MALE)
            and nir[0] in "12"
            and nir[0] != ("1" if sex == "M" else "2")
        ):
            self.add_error(
                "nir",
                "Ce NIR correspond à une personne de l'autre sexe : vérifiez qu'il s'agit bien du "
                "numéro de la personne (et non de l'assuré·e dont elle dépend).",
            )
        elif birth_date and nir[1:3] != f"{birth_date.year % 100:02d}":
            self.add_error(
                "nir",
                f"Ce NIR correspond à une année de naissance finissant par {nir[1:3]}, et non "
                f"par {birth_date.year % 100:02d} : vérifiez qu'il s'agit bien du numéro de la "
                "personne.",
            )
        elif (
            birth_date
            and nir[3:5].isdigit()
            and 1 <= int(nir[3:5]) <= 12
            and int(nir[3:5]) != birth_date.month
        ):
            self.add_error(
                "nir",
                "Le mois de naissance inscrit dans ce NIR ne correspond pas à la date de "
                "naissance : vérifiez l'un et l'autre.",
            )

    def _clean_gp(self, data):
        if data.get("gp"):
            data["gp_status"] = GpStatus.KNOWN
        elif data.get("gp_status") == GpStatus.KNOWN and "gp" not in self.errors:
            self.add_error(
                "gp",
                "Choisissez le médecin traitant dans le répertoire, ou indiquez qu'il est inconnu.",
            )


class IdentityForm(DsfrBaseForm):
    status = forms.ChoiceField(
        label="Statut de l'identité", choices=IdentityStatus.choices, widget=forms.RadioSelect
    )
    evidence = forms.ChoiceField(
        label="Justificatif présenté", choices=IdentityEvidence.choices, required=False
    )
    evidence_reference = forms.CharField(
        label="Référence du justificatif",
        max_length=100,
        required=False,
        help_text="Numéro de la pièce, date de délivrance… (sans copie du document).",
    )
    insi_queried_on = forms.DateField(
        label="Date d'interrogation du téléservice INSi", required=False, widget=DATE_WIDGET
    )
    doubtful = forms.BooleanField(label="Identité douteuse", required=False)
    fictitious = forms.BooleanField(
        label="Identité fictive (anonymat, nom d'emprunt)", required=False
    )
    comment = forms.CharField(
        label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, person, **kwargs):
        self.person = person
        super().__init__(*args, **kwargs)

    def clean(self):
        from .services import identity_rule_errors

        data = super().clean()
        if self.errors:
            return data
        errors = identity_rule_errors(
            self.person,
            status=data["status"],
            evidence=data.get("evidence", ""),
            insi_queried_on=data.get("insi_queried_on"),
            doubtful=data.get("doubtful", False),
            fictitious=data.get("fictitious", False),
        )
        for name, message in errors.items():
            self.add_error(name, message)
        return data


class PersonRefField(forms.CharField):
    """A person of the DAC designated by name or record number (suggestions as one types)."""

    REF_IN = re.compile(r"(?:n°\s*)?(\d+)\s*$")

    def __init__(self, *args, **kwargs):
        self.queryset = Person.objects.none()
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        if match := self.REF_IN.search(value):
            found = list(self.queryset.filter(pk=int(match.group(1)))[:1])
        else:
            keys = [names.name_key(w) for w in value.split() if names.name_key(w)]
            queryset = self.queryset.filter(Q(birth_name_key__in=keys) | Q(used_name_key__in=keys))
            found = list(queryset[:2])
            if len(found) > 1:
                raise forms.ValidationError(
                    "Plusieurs personnes correspondent : choisissez dans la liste proposée."
                )
        if not found:
            raise forms.ValidationError("Aucune personne du DAC ne correspond à cette saisie.")
        return found[0]


class CarerForm(DsfrBaseForm, forms.ModelForm):
    linked_person = PersonRefField(
        label="Aussi connu·e du DAC",
        required=False,
        help_text="Si cette personne a elle-même un dossier au DAC : son nom ou son numéro de "
        "dossier, choisi dans les propositions.",
        widget=autocomplete("persons:person_options", "person-options"),
    )

    class Meta:
        model = Carer
        fields = [
            "first_name",
            "last_name",
            "relationship",
            "is_carer",
            "is_main_carer",
            "is_legal_representative",
            "legal_measure",
            "lives_with_person",
            "phone",
            "email",
            "address",
            "notes",
            "linked_person",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, person, **kwargs):
        self.person = person
        super().__init__(*args, **kwargs)
        field = self.fields["linked_person"]
        field.queryset = Person.objects.current().filter(dac_id=person.dac_id).exclude(pk=person.pk)
        self.fields["is_carer"].required = False
        if self.instance.linked_person_id:
            self.initial["linked_person"] = person_label(self.instance.linked_person)

    def clean_last_name(self):
        return names.tidy_family_name(self.cleaned_data["last_name"])

    def clean_first_name(self):
        return names.tidy(self.cleaned_data["first_name"])

    def clean(self):
        data = super().clean()
        carer, legal = data.get("is_carer"), data.get("is_legal_representative")
        measure = data.get("legal_measure")
        if not carer and not legal:
            self.add_error(
                "is_carer", "Cochez au moins un rôle : aidant·e ou représentant·e légal·e."
            )
        if data.get("is_main_carer") and not carer:
            self.add_error("is_main_carer", "Un·e aidant·e principal·e est aussi aidant·e.")
        if legal and not measure:
            self.add_error(
                "legal_measure",
                "Précisez la mesure qui fonde la représentation (autorité parentale, tutelle…).",
            )
        if measure and not legal:
            self.add_error(
                "is_legal_representative",
                "Une mesure de protection est indiquée : cochez « représentant·e légal·e ».",
            )
        if measure == LegalMeasure.PARENTAL_AUTHORITY and not self.person.is_minor:
            self.add_error("legal_measure", "L'autorité parentale ne concerne qu'un·e mineur·e.")
        return data


class NotDuplicateForm(DsfrBaseForm):
    """No field: the button says it all (the view names the two records)."""


class MergeForm(DsfrBaseForm):
    kept = forms.ChoiceField(label="Dossier conservé", widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Motif de la fusion",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ex. : même personne saisie deux fois (nom d'usage / nom de naissance), "
        "vérifié sur la pièce d'identité.",
    )

    def __init__(self, *args, first: Person, second: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kept"].choices = [
            (str(first.pk), f"Dossier n° {first.pk} — {first.display_name}"),
            (str(second.pk), f"Dossier n° {second.pk} — {second.display_name}"),
        ]


class UndoMergeForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Motif de l'annulation",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ex. : homonymes fusionnés par erreur.",
    )


class PersonFilterForm(FilterForm):
    q = forms.CharField(
        label="Nom",
        required=False,
        help_text="Nom de naissance ou nom utilisé, éventuellement suivi du prénom.",
    )
    birth_date = forms.DateField(label="Date de naissance", required=False, widget=DATE_WIDGET)
    identity_status = forms.ChoiceField(
        label="Statut de l'identité",
        required=False,
        choices=[("", "Tous")] + IdentityStatus.choices,
    )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        words = names.tokens(data.get("q", ""))
        if words:
            whole = "".join(words)
            by_name = Q(birth_name_key__startswith=whole) | Q(used_name_key__startswith=whole)
            typed = data["q"].split()
            if len(words) > 1 and len(typed) > 1:
                family, first = names.name_key(typed[0]), " ".join(typed[1:])
                by_name |= (
                    Q(birth_name_key__startswith=family) | Q(used_name_key__startswith=family)
                ) & (Q(first_name__istartswith=first) | Q(used_first_name__istartswith=first))
            queryset = queryset.filter(by_name)
        if data.get("birth_date"):
            queryset = queryset.filter(birth_date=data["birth_date"])
        if data.get("identity_status"):
            queryset = queryset.filter(identity_status=data["identity_status"])
        return queryset
