from django.apps import AppConfig


class RemediationConfig(AppConfig):
    name = "remediation"
    verbose_name = "Remediation"

    def ready(self):
        from remediation import signals  # noqa: F401  (connects the evidence file clean-up)
