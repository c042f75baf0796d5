"""Pages for proposed changes: the reviewers' list, one change with its differences, and the decisions (POST)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from access import proposals
from access.models import ProposedChange
from access.visibility import may_publish


def record_url(record) -> str:
    """Where a record is shown: its own page, else its site's."""
    if hasattr(record, "get_absolute_url"):
        return record.get_absolute_url()
    site = getattr(record, "site", None)
    return site.get_absolute_url() if site is not None else ""


@require_safe
@login_required
def change_list(request):
    changes = list(proposals.reviewable_changes(request.user))
    return render(request, "access/proposed_changes.html", {"changes": changes})


def _visible_change(request, pk) -> ProposedChange:
    change = get_object_or_404(ProposedChange.objects.select_related("author", "decided_by", "content_type"), pk=pk)
    if not proposals.may_see(request.user, change):
        raise Http404("No such proposed change.")
    return change


def _detail(request, change: ProposedChange, *, error: str = "", status: int = 200):
    record = change.record
    context = {
        "change": change,
        "record": record,
        "record_url": record_url(record) if record is not None else "",
        "differences": proposals.differences(change, record),
        "may_decide": change.is_pending and may_publish(request.user, change.country),
        "error": error,
    }
    return render(request, "access/proposed_change.html", context, status=status)


@require_safe
@login_required
def change_detail(request, pk):
    return _detail(request, _visible_change(request, pk))


def _next_page(request, change: ProposedChange) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return change.get_absolute_url()


@require_POST
@login_required
def change_accept(request, pk):
    # Not narrowed to what the user may read: a reviewer of another country is refused (403) by the service.
    change = get_object_or_404(ProposedChange, pk=pk)
    try:
        proposals.accept(change, by=request.user)
    except ValidationError as error:
        return _detail(request, change, error=" ".join(error.messages), status=400)
    messages.success(request, _("The change was accepted: everyone now sees it."))
    return redirect(_next_page(request, change))


@require_POST
@login_required
def change_send_back(request, pk):
    change = get_object_or_404(ProposedChange, pk=pk)
    try:
        proposals.send_back(change, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        return _detail(request, change, error=" ".join(error.messages), status=400)
    messages.success(request, _("The change was sent back to its author."))
    return redirect(_next_page(request, change))
