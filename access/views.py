"""A signed-in person's own settings: which e-mails they get, in which language."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from access.forms import NotificationPreferenceForm
from access.notifications import preference_of, save_preference


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    """Only one's own: the row is the signed-in user's, whatever the form sends."""
    form = NotificationPreferenceForm(request.POST or None, instance=preference_of(request.user))
    if request.method == "POST" and form.is_valid():
        save_preference(request.user, {name: form.cleaned_data[name] for name in form.Meta.fields})
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notifications")
    status = 400 if form.errors else 200
    return render(request, "access/notifications.html", {"form": form}, status=status)
