"""manage.py flag_quality_issues: recompute the data-quality flags of every site (imports do it too)."""

from django.core.management.base import BaseCommand

from sites.quality import flag_quality_issues


class Command(BaseCommand):
    help = "Recompute the data-quality flags of every site; dismissed flags stay dismissed while the data is unchanged."

    def handle(self, *args, **options):
        counts = flag_quality_issues()
        for flag, count in counts.items():
            self.stdout.write(f"{flag}: {count}")
        self.stdout.write(self.style.SUCCESS("Quality flags recomputed."))
