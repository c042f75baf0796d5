"""Who wants which e-mail, and sending one to a person in their own language; no word of what it is about."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import translation

from access.models import NotificationPreference

# The kinds of e-mail a person may switch off: the flags of NotificationPreference.
KINDS = ("review_requested", "published", "sent_back", "monitoring_digest", "public_reports", "public_reports_digest")


def preference_of(user: User) -> NotificationPreference:
    """The user's stored preference, or the defaults (everything on) when they never chose."""
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user)


def save_preference(user: User, choices: dict) -> NotificationPreference:
    """Store `user`'s choices; two first saves at once (two tabs, a double click) both land on the one row.

    get_or_create retries its read when a concurrent insert wins; the row lock then orders the writes.
    """
    with transaction.atomic():
        NotificationPreference.objects.get_or_create(user=user)
        preference = NotificationPreference.objects.select_for_update().get(user=user)
        for name, value in choices.items():
            setattr(preference, name, value)
        preference.full_clean()
        preference.save()
    return preference


def wants(user: User | None, kind: str) -> bool:
    """Whether `user` is to be told of `kind`: an active account with an address that did not switch it off."""
    if user is None or not user.is_active or not user.email:
        return False
    return getattr(preference_of(user), _flag(kind))


def members_who_want(kind: str, *, countries: Iterable[str], roles: Iterable[str]) -> QuerySet[User]:
    """The active people holding one of `roles` in one of `countries` who want `kind`, each once."""
    return (
        User.objects.filter(is_active=True, memberships__country__in=list(countries), memberships__role__in=list(roles))
        .exclude(email="")
        .exclude(**{f"notification_preference__{_flag(kind)}": False})
        .select_related("notification_preference")
        .distinct()
        .order_by("pk")
    )


def send_to(user: User, *, template: str, context: dict) -> EmailMessage:
    """Send `template` (`<template>_subject.txt` and `<template>.txt`) to `user`, rendered in their language.

    Lazy texts in `context` (labels, verbose names) are rendered inside the language too. The message
    says the language it was written in (a Content-Language header).
    """
    language = preference_of(user).language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
        written_in = translation.get_language()
    message = EmailMessage(subject, body, to=[user.email], headers={"Content-Language": written_in})
    message.send()
    return message


def absolute_url(path: str) -> str:
    """A link for an e-mail: the path on this registry's public address (SITE_URL)."""
    return settings.SITE_URL.rstrip("/") + path


def _flag(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"No such kind of notification: {kind!r}; one of {', '.join(KINDS)}.")
    return kind
