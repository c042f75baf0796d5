from django.apps import AppConfig


class RemediationConfig(AppConfig):
    name = "remediation"
    verbose_name = "Remediation"

    def ready(self):
        """Contribute hazards and treated areas to geodata's engines, and remediation to the site pages.

        Also: e-mails on review events (notifications), and the weekly digests, which the worker
        enqueues when a week begins.
        """
        from geodata import tasks as worker_tasks
        from remediation import contributions, notifications, signals, tasks  # noqa: F401  (signals: the evidence file clean-up)

        contributions.register()
        if tasks.enqueue_weekly_digests_when_due not in worker_tasks.periodic_jobs:
            worker_tasks.periodic_jobs.append(tasks.enqueue_weekly_digests_when_due)
