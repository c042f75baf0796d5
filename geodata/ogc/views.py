"""Thin views of the OGC API: pick the format, call the core, answer JSON or HTML."""

import json
from functools import wraps

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from geodata.ogc import core
from geodata.ogc.collections import find_collection
from geodata.ogc.openapi import openapi_document


def wants_html(request) -> bool:
    """f=html|json wins; otherwise a browser's Accept header (text/html first) asks for HTML."""
    if "f" in request.GET:
        chosen = request.GET["f"]
        if chosen not in ("html", "json"):
            raise core.OGCError(400, "InvalidParameterValue", f"f: use json or html, not “{chosen}”.")
        return chosen == "html"
    first = request.headers.get("Accept", "").split(",")[0].strip()
    return first.startswith(core.HTML)


def base_url(request) -> str:
    return request.build_absolute_uri("/ogc")


def answer_json(document: dict, media_type: str, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(document), content_type=media_type, status=status)


def with_cache_headers(request, response: HttpResponse) -> HttpResponse:
    """Signed-in readers may see drafts and exact hazard places: never let a shared cache keep those."""
    if request.user.is_authenticated:
        response["Cache-Control"] = "private, no-cache"
    else:
        response["Cache-Control"] = "public, max-age=60"
    patch_vary_headers(response, ["Cookie", "Authorization", "Accept"])
    return response


def ogc_view(kind: str, media_type: str, parameters: frozenset[str] = core.FORMAT_PARAMETERS):
    """Wraps a function (request, base, as_html, **kwargs) -> document into a negotiated, error-safe view.

    Only GET and HEAD are declared: other methods get a 405 (no CSRF check first: nothing is written).
    A query parameter the API definition does not declare is a 400, as the standard requires.
    """

    def decorator(build):
        @csrf_exempt
        @require_safe
        @wraps(build)
        def view(request, **kwargs):
            as_html = False
            try:
                as_html = wants_html(request)
                core.check_parameters(request.GET, parameters)
                document = build(request, base_url(request), as_html, **kwargs)
            except core.OGCError as error:
                if as_html:
                    context = {"kind": "error", "title": error.code, "error": error}
                    return render(request, "geodata/ogc.html", context, status=error.status)
                return answer_json(error.document(), core.JSON, error.status)
            if as_html:
                context = {
                    "kind": kind,
                    "title": _html_title(document) or kind.title(),
                    "document": document,
                    "pretty": json.dumps(document, indent=2),
                    "count_limit": core.COUNT_LIMIT,
                }
                return with_cache_headers(request, render(request, "geodata/ogc.html", context))
            return with_cache_headers(request, answer_json(document, media_type))

        return view

    return decorator


def _html_title(document: dict) -> str:
    """A document's own title, an item's name, or for a page of items the title of their collection."""
    collection = next((link for link in document.get("links", []) if link.get("rel") == "collection"), {})
    return document.get("title") or document.get("properties", {}).get("name") or collection.get("title", "")


def collection_or_404(collection_id: str):
    collection = find_collection(collection_id)
    if collection is None:
        raise core.OGCError(404, "NotFound", f"No collection “{collection_id}”; see /ogc/collections.")
    return collection


@ogc_view("landing", core.JSON)
def landing(request, base, as_html):
    return core.landing_page(base, as_html)


@ogc_view("conformance", core.JSON)
def conformance(request, base, as_html):
    return core.conformance()


@csrf_exempt
@require_safe
def api_definition(request):
    return answer_json(openapi_document(base_url(request)), core.OPENAPI)


@ogc_view("collections", core.JSON)
def collections(request, base, as_html):
    return core.collections_document(base, request.user, as_html)


@ogc_view("collection", core.JSON)
def collection(request, base, as_html, collection_id):
    return core.collection_document(collection_or_404(collection_id), base, request.user, as_html)


@ogc_view("items", core.GEOJSON, core.ITEMS_PARAMETERS)
def items(request, base, as_html, collection_id):
    return core.items_document(collection_or_404(collection_id), base, request.user, request.GET, as_html)


@ogc_view("item", core.GEOJSON)
def item(request, base, as_html, collection_id, feature_id):
    return core.item_document(collection_or_404(collection_id), base, request.user, feature_id, as_html)
