"""What reviewers type on the data-quality page: the country shown, a dismissal's reason, the records to merge."""

from django import forms
from django.utils.translation import gettext_lazy as _

from access.models import Country
from sites.models import QualityFlag


class QualityCountryForm(forms.Form):
    """The country whose flags the page shows (?country=ID), among those the reader looks after."""

    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, data, *, countries: list[str]):
        super().__init__(data)
        labels = dict(Country.choices)
        self.fields["country"].choices = [(country, labels[country]) for country in countries]
        self.fields["country"].error_messages["invalid_choice"] = _(
            "“%(value)s” is not a country whose data quality you look after."
        )
        self.default = countries[0]

    def chosen_country(self) -> str:
        return self.cleaned_data.get("country") or self.default


class DismissFlagForm(forms.Form):
    flag = forms.ChoiceField(label=_("Flag"), choices=QualityFlag.choices)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        strip=True,
        error_messages={"required": _("Give a reason: a flag is only dismissed with the reason it is wrong.")},
    )


class MergeSitesForm(forms.Form):
    survivor = forms.IntegerField(label=_("Site that stays"), min_value=1, max_value=2**63 - 1)
    removed = forms.IntegerField(label=_("Site merged into it"), min_value=1, max_value=2**63 - 1)


def error_text(form: forms.Form) -> str:
    return "; ".join(" ".join(errors) for errors in form.errors.values())
