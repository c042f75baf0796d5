"""A signed-in person's REST API token: see it, and replace it when it may have leaked.

Scripts and desktop tools write through the API with `Authorization: Token …`; a token acts with
its owner's roles, so only its owner sees it, and making a new one revokes the old at once.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token


@transaction.atomic
def replace_api_token(user) -> Token:
    """A new token for `user`; the one they had stops working."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_token(request):
    if request.method == "POST":
        replace_api_token(request.user)
        messages.success(request, gettext("A new API token was made; the previous one no longer works."))
        return redirect("api-token")
    token = Token.objects.filter(user=request.user).first()
    return render(request, "registration/api_token.html", {"token": token})
