"""What people type about review and e-mails: a reviewer's reason for sending back, a person's notification choices."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from access.models import NotificationPreference
from access.publishing import REASON_MAX_LENGTH


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the record goes back: its author reads the reason.")},
        help_text=_("What the author should check or change before a reviewer looks again."),
    )


class NotificationPreferenceForm(forms.ModelForm):
    # The languages the registry speaks; read when the form is made, so a language added in settings shows at once.
    language = forms.TypedChoiceField(choices=(), label=NotificationPreference._meta.get_field("language").verbose_name)

    class Meta:
        model = NotificationPreference
        fields = [
            "review_requested",
            "published",
            "sent_back",
            "monitoring_digest",
            "public_reports",
            "public_reports_digest",
            "language",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES
