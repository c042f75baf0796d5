"""Open layers in headless QGIS and print what it found as one JSON object.

Run by Debian's Python, which has PyQGIS (the project's virtualenv cannot import it):

    QT_QPA_PLATFORM=offscreen QGIS_PREFIX_PATH=/usr /usr/bin/python3 qgis_layers.py PROFILE_DIR LAYERS_JSON

LAYERS_JSON is a list of {"name", "uri", "provider"} and, for vector tiles, "render": a list of
boxes [xmin, ymin, xmax, ymax] in EPSG:3857 to draw. For each layer it prints whether it is valid,
its provider and what QGIS logged while reading it, and then: for a vector layer, its feature
count and every feature's `name` and point; for vector tiles, how many pixels each render painted
(a vector tile layer is valid even when its server cannot be reached; it then paints nothing).
QGIS 3.22 can crash while shutting down, so the results are printed and flushed first, and the
process leaves with os._exit.
"""

import json
import os
import sys

RENDER_SIZE_PX = 256
NETWORK_TIMEOUT_MS = 30_000


def main() -> None:
    profile, layers = sys.argv[1], json.loads(sys.argv[2])
    try:
        from qgis.core import QgsApplication
    except ImportError as error:
        sys.stderr.write(f"PyQGIS cannot be imported ({error}): install Debian's qgis and python3-qgis\n")
        sys.stderr.flush()
        os._exit(3)
    application = QgsApplication([], False, profile)
    application.setPrefixPath(os.environ.get("QGIS_PREFIX_PATH", "/usr"), True)
    application.initQgis()
    from qgis.core import QgsNetworkAccessManager

    QgsNetworkAccessManager.setTimeout(NETWORK_TIMEOUT_MS)
    messages = []  # QGIS says why a layer is invalid in its message log (the layer's error() stays empty)
    QgsApplication.messageLog().messageReceived.connect(
        lambda message, tag, level: messages.append(f"{tag} ({int(level)}): {message}")
    )
    kept = []  # layers stay alive until the end: PyQGIS may crash when one is collected early
    results = {}
    for spec in layers:
        results[spec["name"]] = open_layer(spec, kept)
        application.processEvents()  # deliver the messages logged from other threads
        results[spec["name"]]["messages"] = messages[:]
        messages.clear()
    sys.stdout.write(json.dumps({"qgis_version": qgis_version(), "layers": results}) + "\n")
    sys.stdout.flush()
    os._exit(0)


def qgis_version() -> str:
    from qgis.core import Qgis

    return Qgis.QGIS_VERSION


def open_layer(spec: dict, kept: list) -> dict:
    from qgis.core import QgsVectorLayer, QgsVectorTileLayer

    if spec["provider"] == "vectortile":
        layer = QgsVectorTileLayer(spec["uri"], spec["name"])
    else:
        layer = QgsVectorLayer(spec["uri"], spec["name"], spec["provider"])
    kept.append(layer)
    result = {"valid": layer.isValid(), "provider": layer.providerType()}
    if not layer.isValid():
        return result
    if spec["provider"] == "vectortile":
        result["painted_px"] = [painted_pixels(layer, box) for box in spec.get("render", [])]
        return result
    result["feature_count"] = layer.featureCount()
    features = []
    for feature in layer.getFeatures():
        point = feature.geometry().asPoint()
        features.append({"name": feature["name"], "x": point.x(), "y": point.y()})
    result["features"] = features
    return result


def painted_pixels(layer, box: list[float]) -> int:
    """Render the layer over `box` (EPSG:3857) on a transparent image; the number of pixels drawn."""
    from qgis.core import QgsCoordinateReferenceSystem, QgsMapRendererSequentialJob, QgsMapSettings, QgsRectangle
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor, QImage

    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    settings.setExtent(QgsRectangle(*box))
    settings.setOutputSize(QSize(RENDER_SIZE_PX, RENDER_SIZE_PX))
    settings.setBackgroundColor(QColor(0, 0, 0, 0))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    alpha = job.renderedImage().convertToFormat(QImage.Format_Alpha8)  # one byte per pixel, rows unpadded
    pixels = alpha.constBits()
    pixels.setsize(alpha.sizeInBytes())
    return sum(1 for value in bytes(pixels) if value)


if __name__ == "__main__":
    main()
