"""Background work for remediation: the weekly digests, enqueued by the worker when a week begins."""

import datetime

from django_tasks import task

from remediation import digests


@task()
def send_weekly_digests() -> int:
    """Send the week's digests that have not gone yet; return how many countries' digests went out."""
    return sum(1 for digest in digests.send_weekly_digests() if digest.sent)


def enqueue_weekly_digests_when_due() -> None:
    """Called by the worker every few minutes: a cheap check, and a task only when a country's digest is due."""
    if digests.digests_due(datetime.date.today()):
        send_weekly_digests.enqueue()
