"""`manage.py send_digests`: send this week's digest of each country that has not had it (safe to run often)."""

from django.core.management.base import BaseCommand

from remediation.digests import send_weekly_digests


class Command(BaseCommand):
    help = (
        "Send each country's weekly digest (overdue monitoring, drafts waiting, reports from the public) "
        "to its officers and reviewers "
        "who want it. A country's digest goes once per ISO week, however often this runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print who would get what; send and store nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        digests = send_weekly_digests(dry_run=dry_run)
        verb = "would go to" if dry_run else "sent to"
        for digest in digests:
            people = ", ".join(f"{person.get_username()} <{person.email}>" for person in digest.recipients) or "no one"
            self.stdout.write(
                f"{digest.country}: {digest.overdue_count} overdue visits, {digest.drafts_count} drafts waiting, "
                f"{digest.public_reports_count} reports from the public; "
                f"{verb} {people}"
            )
        if not digests:
            self.stdout.write("No digest is due with news this week.")
