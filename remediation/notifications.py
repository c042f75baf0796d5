"""E-mails about review: the reviewers hear of a draft that waits for them, the author of its publication or return.

Listens to access.review_events. It lives in remediation, the top app, because it names and links
every kind of record: sites, estimates and site inventories, survey layers, hazards, measures,
visits and evidence. Mail goes out only once the change is committed.
"""

from django.contrib.auth.models import User
from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils.text import capfirst

from access import review_events
from access.models import CountryRecord, ProposedChange, Role
from access.notifications import absolute_url, members_who_want, send_to, wants
from access.visibility import may_publish
from geodata.models import Layer
from sites.models import InventoryImport, InventoryImportStatus, MineSite


@receiver(review_events.review_requested, dispatch_uid="notifications.review_requested")
def tell_reviewers(sender, record, by=None, **kwargs) -> None:
    """The reviewers of the record's countries who want it; not when whoever recorded it may publish it there."""
    countries = {country for country in record_countries(record) if not (by and may_publish(by, country))}
    if not countries:
        return
    reviewers = members_who_want("review_requested", countries=countries, roles=[Role.REVIEWER])
    if by is not None:
        reviewers = reviewers.exclude(pk=by.pk)
    _mail_after_commit(list(reviewers), "notifications/review_requested", _context(record, by, countries))


@receiver(review_events.published, dispatch_uid="notifications.published")
def tell_author_of_publication(sender, record, by=None, change=None, **kwargs) -> None:
    """A published record's author; for an accepted change, the person who proposed it."""
    _tell_author(record, by, "published", {}, author=change.author if change is not None else None)


@receiver(review_events.sent_back, dispatch_uid="notifications.sent_back")
def tell_author_of_return(sender, record, by=None, reason: str = "", **kwargs) -> None:
    _tell_author(record, by, "sent_back", {"reason": reason})


def _tell_author(record, by, kind: str, extra: dict, *, author=None) -> None:
    """The person who recorded it, if they want it; never the reviewer who acted (publishing one's own record)."""
    author = author or getattr(record, "author" if isinstance(record, ProposedChange) else "created_by", None)
    if author is None or (by is not None and author.pk == by.pk) or not wants(author, kind):
        return
    context = {**_context(record, by, record_countries(record)), **extra}
    _mail_after_commit([author], f"notifications/{kind}", context)


def _mail_after_commit(recipients: list[User], template: str, context: dict) -> None:
    for recipient in recipients:
        message_context = {**context, "recipient_name": recipient.get_full_name() or recipient.get_username()}
        # robust: a mail server that fails is logged, it does not undo or fail what was saved.
        transaction.on_commit(
            lambda recipient=recipient, message_context=message_context: send_to(
                recipient, template=template, context=message_context
            ),
            robust=True,
        )


def _context(record, by, countries: set[str]) -> dict:
    """What every message says of the record, read now (inside the sender's transaction)."""
    named = record.record if isinstance(record, ProposedChange) else record  # a change is named by its record
    return {
        "kind": capfirst(named._meta.verbose_name),
        "title": record_title(record),
        "link": absolute_url(record_path(record, countries)),
        "actor": (by.get_full_name() or by.get_username()) if by is not None else "",
        "settings_link": absolute_url(reverse("notifications")),
    }


def record_countries(record) -> set[str]:
    """The countries whose reviewers look at the record."""
    if isinstance(record, InventoryImport):
        return _countries_of_import(record)
    if isinstance(record, ProposedChange):
        return {record.country}
    country = record.record_country() if isinstance(record, CountryRecord) else record.site.country
    return {country} if country else set()


def record_title(record) -> str:
    """The record's name as people know it: its own, or its site's for what is recorded about a site."""
    if isinstance(record, InventoryImport):
        return record.original_name
    if isinstance(record, ProposedChange):
        return record_title(record.record)
    if isinstance(record, Layer):
        return record.title
    if isinstance(record, MineSite):
        return record.name
    return record.site.name


def record_path(record, countries: set[str]) -> str:
    """Where a reader finds the record: its page, its site's page, or (an inventory) the sites of its country."""
    if isinstance(record, InventoryImport):
        query = f"?country={next(iter(countries))}" if len(countries) == 1 else ""
        return reverse("sites:list") + query
    if isinstance(record, ProposedChange):
        return record.get_absolute_url()
    if isinstance(record, Layer):
        return reverse("geodata:detail", args=[record.pk])
    if isinstance(record, MineSite):
        return record.get_absolute_url()
    return record.site.get_absolute_url()


def _countries_of_import(inventory_import: InventoryImport) -> set[str]:
    """The countries where a finished import left draft sites of its source (none when it failed or changed none)."""
    report = inventory_import.report or {}
    if inventory_import.status != InventoryImportStatus.DONE or not (report.get("created") or report.get("updated")):
        return set()
    drafts = MineSite.objects.filter(
        data_source__name=report.get("source", ""), country__in=inventory_import.countries, is_published=False
    )
    return set(drafts.order_by().values_list("country", flat=True).distinct())
