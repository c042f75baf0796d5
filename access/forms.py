"""What a person chooses about the e-mails they get."""

from django import forms
from django.conf import settings

from access.models import NotificationPreference


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
