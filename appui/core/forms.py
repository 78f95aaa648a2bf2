from dsfr.forms import DsfrBaseForm


class FilterForm(DsfrBaseForm):
    """A search or filter form: every field is optional, so none is labelled "(Optionnel)".

    django-dsfr marks optional fields from the field's `required` flag at render time. The fields
    are validated as optional, then flagged as required for display only (the HTML `required`
    attribute is switched off), which keeps filter bars readable.
    """

    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self._display_without_optional_marks()

    def full_clean(self):
        super().full_clean()
        self._display_without_optional_marks()

    def _display_without_optional_marks(self):
        for field in self.fields.values():
            field.required = True
