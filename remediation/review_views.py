"""The review queue's pages: the drafts of every kind per country, publishing them, sending them back."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from access import publishing
from access.forms import SendBackForm
from access.models import Country
from access.visibility import ensure_may_publish, visible
from remediation import review_queue
from remediation.review_queue import REVIEW_KINDS, ReviewKind


def _ensure_may_review(user) -> list[str]:
    if not review_queue.may_review(user):
        raise PermissionDenied(_("The review queue is for reviewers and staff."))
    return review_queue.review_countries(user)


def _kind(name: str) -> ReviewKind:
    if name not in REVIEW_KINDS:
        raise Http404(_("No such kind of record."))
    return REVIEW_KINDS[name]


def _record(request, kind: ReviewKind, pk: int):
    """The record if the user may see it at all; whether they may decide on it is the service's question."""
    return get_object_or_404(visible(kind.model.objects.all(), request.user), pk=pk)


def _back(request, fallback: str):
    """Back where the action was taken (the queue or the record's page), never to another site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


@login_required
def queue_page(request):
    countries = _ensure_may_review(request.user)
    country = request.GET.get("country", "")
    if country and country not in countries:
        raise PermissionDenied(_("You do not review the drafts of this country."))
    selected = [country] if country else countries
    counts = review_queue.draft_counts(selected)
    kind = REVIEW_KINDS.get(request.GET.get("kind", ""))
    if kind is None:  # the first kind with drafts waiting opens by default
        kind = next((count.kind for count in counts if count.count), REVIEW_KINDS["sites"])
    page = review_queue.draft_page(kind, selected, request.GET.get("page"))
    context = {
        "countries": [(code, Country(code).label) for code in countries],
        "country": country,
        "counts": counts,
        "kind": kind,
        "page": page,
        "rows": [(record, kind.page_url(record)) for record in page],
        # Staff read every country's queue; only a country's reviewers act on its drafts (the service checks).
        "may_act": review_queue.reviews_any_country(request.user),
    }
    return render(request, "remediation/review_queue.html", context)


@require_POST
@login_required
def publish_selected(request):
    """Publish every selected draft, or none if any of them is not the user's to publish."""
    _ensure_may_review(request.user)
    keys = request.POST.getlist("record")
    if not keys:
        messages.error(request, _("Select the drafts to publish first."))
        return _back(request, "review:queue")
    try:
        records = review_queue.records_from_keys(keys)
    except KeyError:
        raise Http404(_("A selected record no longer exists; reload the queue.")) from None
    try:
        publishing.publish_all(records, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(request, "review:queue")
    count = len(records)
    messages.success(
        request, ngettext("%(count)d draft published.", "%(count)d drafts published.", count) % {"count": count}
    )
    return _back(request, "review:queue")


@require_POST
@login_required
def record_publish(request, kind: str, pk: int):
    """Publish or withdraw one record (action=publish or unpublish)."""
    kind = _kind(kind)
    record = _record(request, kind, pk)
    published = request.POST.get("action", "publish") == "publish"
    try:
        publishing.publish(record, by=request.user, published=published)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Published.") if published else _("Withdrawn: it is a draft again."))
    return _back(request, kind.page_url(record))


@login_required
def record_send_back(request, kind: str, pk: int):
    """The send-back form: the reason is required and kept; the record stays a draft."""
    kind = _kind(kind)
    record = _record(request, kind, pk)
    ensure_may_publish(request.user, record)
    form = SendBackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            publishing.send_back(record, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason" if hasattr(error, "error_dict") else None, error.messages)
        else:
            messages.success(request, _("Sent back to its author with your reason."))
            return _back(request, kind.page_url(record))
    page_url = kind.page_url(record)
    back_to = request.POST.get("next") or request.GET.get("next") or page_url
    context = {"form": form, "record": record, "kind": kind, "page_url": page_url, "next": back_to}
    return render(request, "remediation/send_back.html", context, status=400 if form.errors else 200)
