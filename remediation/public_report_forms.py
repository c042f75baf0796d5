"""What a member of the public types about a site, and what an officer answers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from remediation.models import PublicReport, PublicReportState


class PublicReportForm(forms.ModelForm):
    # A field people never see (hidden by the page's style): a bot that fills every field fills it too.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    class Meta:
        model = PublicReport
        fields = ["kind", "description", "contact"]
        labels = {
            "kind": _("What did you see?"),
            "description": _("Describe what you saw and where"),
            "contact": _("How can we reach you? (optional)"),
        }
        help_texts = {
            "description": _("Up to 2,000 characters. Do not write other people's names."),
            "contact": _(
                "A name, an e-mail address or a phone number. Only the officers and reviewers of this "
                "country read it; it is never published."
            ),
        }
        error_messages = {
            "kind": {"required": _("Choose what you saw.")},
            "description": {
                "required": _("Describe what you saw: the report cannot be sent empty."),
                "max_length": _("Keep the description to %(limit_value)d characters (it has %(show_value)d)."),
            },
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 6, "maxlength": 2000})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    @property
    def is_from_a_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class PublicReportFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any state")), *PublicReportState.choices]
    )


class HandlePublicReportForm(forms.Form):
    state = forms.ChoiceField(
        choices=[(PublicReportState.ACKNOWLEDGED, _("Acknowledge")), (PublicReportState.CLOSED, _("Close"))],
        error_messages={"required": _("Choose to acknowledge or to close the report.")},
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
