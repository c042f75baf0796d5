from django.apps import AppConfig


class RemediationConfig(AppConfig):
    name = "remediation"
    verbose_name = "Remediation"

    def ready(self):
        """Contribute hazards and treated areas to geodata's engines, and remediation to the site pages."""
        from remediation import contributions, signals  # noqa: F401  (signals: the evidence file clean-up)

        contributions.register()
