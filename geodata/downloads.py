"""HTTP responses for exports: streamed GeoJSON and CSV, GeoPackage and zipped Shapefile as files, metadata JSON."""

from django.http import FileResponse, JsonResponse, StreamingHttpResponse

from geodata import exports


def export_response(query: exports.ExportQuery, file_format: str, *, metadata_url: str):
    """The export in `file_format`; a layer a Shapefile cannot hold answers 409 with the reason."""
    content_type = exports.FORMATS[file_format][1]
    if file_format in exports.STREAMED_FORMATS:
        stream = exports.stream_geojson(query) if file_format == "geojson" else exports.stream_csv(query)
        response = StreamingHttpResponse(stream, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{query.name}.{file_format}"'
    else:
        try:
            handle, filename = exports.write_file(query, file_format)
        except exports.ExportError as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=409)
        response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    # The CSV has no room for metadata: it points to the JSON that describes the same query.
    response["Link"] = f'<{metadata_url}>; rel="describedby"; type="application/json"'
    response["Cache-Control"] = "private, no-cache"
    return response


def metadata_response(query: exports.ExportQuery) -> JsonResponse:
    return JsonResponse(query.metadata, json_dumps_params={"ensure_ascii": False, "indent": 2})
