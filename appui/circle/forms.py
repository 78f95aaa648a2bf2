"""Forms of the care circle. They only read input; the rules live in `circle.services`, whose
French refusals `add_errors` puts next to the field."""

from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from appui.care.enums import ConsentGivenBy
from appui.core.enums import SensitivityCategory
from appui.intake.forms_triage import (
    DATE_WIDGET,
    OrganisationChoiceField,
    UserChoiceField,
    add_errors,
)

from .enums import ExpressedHow, JoinedHow, ObjectionScope

__all__ = [
    "CarerMemberForm",
    "EndMemberForm",
    "InvitationAcceptForm",
    "InviteForm",
    "MemberForm",
    "ObjectionForm",
    "SearchForm",
    "StaffMemberForm",
    "WithdrawObjectionForm",
    "add_errors",
]

TEXTAREA = {"rows": 3}
ADDED_HOW = [
    (JoinedHow.ADDED, JoinedHow.ADDED.label),
    (JoinedHow.PERSON_REQUEST, "À la demande de la personne"),
]


class MemberForm(DsfrBaseForm):
    role_label = forms.CharField(
        label="Rôle dans la situation",
        max_length=200,
        required=False,
        help_text="Ex. : infirmière libérale (passage quotidien), kinésithérapeute, évaluateur APA.",
    )
    joined_how = forms.ChoiceField(
        label="Arrivée dans le cercle", choices=ADDED_HOW, initial=JoinedHow.ADDED
    )


class StaffMemberForm(MemberForm):
    user = UserChoiceField(label="Membre de l'équipe du DAC", queryset=None, empty_label="Choisir")
    field_order = ["user", "role_label", "joined_how"]

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = team


class CarerMemberForm(MemberForm):
    carer = forms.ModelChoiceField(label="Proche", queryset=None, empty_label="Choisir")
    field_order = ["carer", "role_label", "joined_how"]

    def __init__(self, *args, carers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carer"].queryset = carers
        self.fields["carer"].label_from_instance = lambda c: f"{c} — {c.roles_label}"


class SearchForm(DsfrBaseForm):
    q = forms.CharField(label="Nom ou RPPS", max_length=100, required=False)


class EndMemberForm(DsfrBaseForm):
    end_date = forms.DateField(
        label="Sorti·e du cercle le", widget=DATE_WIDGET, initial=timezone.localdate
    )
    reason = forms.CharField(
        label="Motif",
        max_length=255,
        help_text="Ex. : fin des soins infirmiers, changement de kinésithérapeute, à la demande "
        "de la personne.",
    )


class ObjectionForm(DsfrBaseForm):
    scope = forms.ChoiceField(
        label="Portée", choices=ObjectionScope.choices, widget=forms.RadioSelect
    )
    categories = forms.MultipleChoiceField(
        label="Catégories que la personne accepte encore de partager avec ce membre",
        choices=[c for c in SensitivityCategory.choices if c[0] != "administrative"],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Si le partage est limité. L'identité administrative reste toujours visible.",
    )
    own_actions_only = forms.BooleanField(
        label="Du PPCS, seulement les actions dont ce membre est responsable",
        required=False,
    )
    expressed_on = forms.DateField(
        label="Exprimée le", widget=DATE_WIDGET, initial=timezone.localdate
    )
    expressed_how = forms.ChoiceField(label="Exprimée comment", choices=ExpressedHow.choices)
    expressed_by = forms.ChoiceField(
        label="Exprimée par", choices=ConsentGivenBy.choices, initial=ConsentGivenBy.PERSON
    )
    legal_representative = forms.ModelChoiceField(
        label="Représentant légal", queryset=None, required=False, empty_label="—"
    )
    note = forms.CharField(
        label="Précisions", widget=forms.Textarea(attrs=TEXTAREA), required=False
    )

    def __init__(self, *args, representatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_representative"].queryset = representatives


class WithdrawObjectionForm(DsfrBaseForm):
    withdrawn_on = forms.DateField(label="Levée le", widget=DATE_WIDGET, initial=timezone.localdate)
    note = forms.CharField(
        label="Précisions",
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
        help_text="Ex. : la personne l'a dit lors de la visite du 3 décembre.",
    )


class InviteForm(DsfrBaseForm):
    email = forms.EmailField(label="Adresse électronique du professionnel")
    organisation = forms.ChoiceField(
        label="Structure d'exercice",
        required=False,
        help_text="Le compte sera rattaché à cette structure comme partenaire.",
    )
    other_organisation = OrganisationChoiceField(
        label="Ou une autre structure",
        required=False,
        help_text="Son nom exact, son FINESS ou son SIRET.",
    )

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.places = {str(o.pk): o for o in places}
        self.fields["organisation"].choices = [("", "Choisir")] + [
            (str(o.pk), o.name) for o in places
        ]

    def clean(self):
        data = super().clean()
        data["organisation"] = data.get("other_organisation") or self.places.get(
            data.get("organisation") or ""
        )
        if data["organisation"] is None and "other_organisation" not in self.errors:
            self.add_error("organisation", "Choisissez la structure d'exercice du professionnel.")
        return data


class InvitationAcceptForm(DsfrBaseForm):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif first:
            from appui.accounts.models import User

            probe = User(
                email=self.email,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
