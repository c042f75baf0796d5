"""Pages' actions on a layer's versions: a new file to replace or add to its data, publishing or discarding it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from geodata import queries, versions
from geodata.forms import LayerChangeForm


def _form_errors(form) -> str:
    return "; ".join(" ".join(errors) for errors in form.errors.values())


@require_POST
@login_required
def layer_change(request, pk):
    """Upload a new file for the layer; its import runs in the background like an upload's."""
    layer = get_object_or_404(queries.visible_layers(request.user), pk=pk)
    versions.ensure_may_change_data(request.user, layer)
    form = LayerChangeForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("geodata:detail", pk=layer.pk)
    try:
        versions.start_layer_change(
            layer=layer,
            by=request.user,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            options=form.options(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("geodata:detail", pk=layer.pk)


@require_POST
@login_required
def publish_change(request, pk):
    layer = get_object_or_404(queries.visible_layers(request.user), pk=pk)
    try:
        version = versions.publish_change(layer=layer, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Version %(number)s is published.") % {"number": version.number})
    return redirect("geodata:detail", pk=layer.pk)


@require_POST
@login_required
def discard_change(request, pk):
    layer = get_object_or_404(queries.visible_layers(request.user), pk=pk)
    try:
        versions.discard_change(layer=layer, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("geodata:detail", pk=layer.pk)


@require_GET
@login_required
def version_file(request, pk, number):
    """An earlier version's file as it was uploaded, for the people who look after the layer."""
    layer = get_object_or_404(queries.visible_layers(request.user), pk=pk)
    if not (versions.may_change_data(request.user, layer) or request.user.is_staff):
        raise Http404(_("No such file."))
    version = get_object_or_404(layer.versions, number=number)
    if not version.stored_file:
        raise Http404(_("This version's file was not kept (it was imported from the server's disk)."))
    return FileResponse(version.stored_file.open("rb"), as_attachment=True, filename=version.file_name or None)
