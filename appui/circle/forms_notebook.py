"""Forms of the liaison notebook and of the notification preferences. They only read input: the
rules (who may write which category, whom one may mention, which files are accepted) live in
`circle.notebook`, whose French refusals `add_errors` puts next to the field."""

from django import forms
from django.conf import settings
from dsfr.forms import DsfrBaseForm

from .enums import NotificationKind
from .notebook import MAX_FILES, file_size_label


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True
    group_class = "fr-upload-group"  # the DSFR upload component


class MultipleFileField(forms.FileField):
    """Several files in one input; each one is checked by the notebook service."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class NoteForm(DsfrBaseForm):
    category = forms.ChoiceField(
        label="Catégorie",
        help_text="Seuls les membres du cercle qui voient cette catégorie des données de la "
        "personne liront la note.",
    )
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 5}))
    mentions = forms.TypedMultipleChoiceField(
        label="Mentionner",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Les personnes mentionnées reçoivent une notification particulière.",
    )
    files = MultipleFileField(
        label="Pièces jointes",
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": ".pdf,.png,.jpg,.jpeg,.webp", "class": "fr-upload"}
        ),
    )

    def __init__(self, *args, categories, mentionable, **kwargs):
        """`categories`: (value, label) the author may write; `mentionable`: (user id, label)."""
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Choisir une catégorie"), *categories]
        self.fields["mentions"].choices = mentionable
        if not mentionable:
            del self.fields["mentions"]
        # The limit is a setting: said at render time (bound fields keep their own help text).
        self["files"].help_text = self.fields["files"].help_text = (
            f"PDF, PNG, JPEG ou WebP ; {MAX_FILES} fichiers au plus, "
            f"{file_size_label(settings.APPUI_ATTACHMENT_MAX_BYTES)} au plus chacun."
        )


class NotificationPreferencesForm(DsfrBaseForm):
    email_kinds = forms.MultipleChoiceField(
        label="Recevoir aussi par courriel",
        choices=NotificationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Chaque notification s'affiche dans Appui. Le courriel ne contient jamais "
        "d'information sur la personne : seulement le type de notification et le lien.",
    )
