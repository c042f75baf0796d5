"""`manage.py run_worker`: the background worker that survives database restarts and sweeps dead imports."""

from django.core.management.base import BaseCommand

from geodata.tasks import run_worker


class Command(BaseCommand):
    help = (
        "Run the background worker (django_tasks_db's db_worker) so that it reconnects after a database restart, "
        "and fail imports whose worker is gone on start and every INGEST_SWEEP_SECONDS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="*", help="Queues to process, comma-separated; * for all.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls of an empty queue.")

    def handle(self, *, queue_name: str, interval: float, **options):
        run_worker(queue_names=queue_name.split(","), interval=interval)
