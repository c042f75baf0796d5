"""What a reviewer types when deciding on a record: the reason for sending it back."""

from django import forms
from django.utils.translation import gettext_lazy as _

from access.publishing import REASON_MAX_LENGTH


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the record goes back: its author reads the reason.")},
        help_text=_("What the author should check or change before a reviewer looks again."),
    )
