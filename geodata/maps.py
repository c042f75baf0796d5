"""The folium map builder: one function per kind of map, each returning the map's rendered parts.

This is the only module that imports folium, and it knows no domain: the apps hand it their
overlays, styles and colours (`TileOverlay`, `style_call`). Every map uses our vendored Leaflet assets (set per
map, never on folium's class-level lists) so pages work offline except for the base-map tiles.
"""

import json
import re
from dataclasses import dataclass

import folium
from branca.element import MacroElement
from django.conf import settings
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from folium.elements import JSCSSMixin
from folium.utilities import JsCode
from jinja2 import Template

LOCAL_ASSETS = {
    "leaflet": "vendor/leaflet/leaflet.js",
    "leaflet_css": "vendor/leaflet/leaflet.css",
    "jquery": "vendor/jquery/jquery.min.js",
    "awesome_markers": "vendor/leaflet.awesome-markers/leaflet.awesome-markers.js",
    "awesome_markers_css": "vendor/leaflet.awesome-markers/leaflet.awesome-markers.css",
    "awesome_markers_font_css": "vendor/fontawesome/css/all.min.css",
    "markerclusterjs": "vendor/leaflet.markercluster/leaflet.markercluster.js",
    "markerclustercss": "vendor/leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "vendor/leaflet.markercluster/MarkerCluster.Default.css",
    "vectorGrid": "vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.js",
    "registry_tile_maps": "js/tile-maps.js",
}
# Bootstrap would restyle the host page; the icon-marker assets (awesome markers, Font Awesome, glyphicons,
# rotation) serve icon markers, and our maps draw circle markers, so they would only add weight.
DROP_ASSETS = {
    "bootstrap",
    "bootstrap_css",
    "glyphicons_css",
    "awesome_rotate_css",
    "awesome_markers",
    "awesome_markers_css",
    "awesome_markers_font_css",
}

ASEAN_BOUNDS = [[-11.5, 92.0], [28.6, 141.0]]
PHONE_MEDIA_QUERY = "(max-width: 640px)"  # also in registry.css and templates/sites/map.html
ON_A_PHONE = JsCode(f"window.matchMedia({PHONE_MEDIA_QUERY!r}).matches")
FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')
CLUSTER_COLOUR = "#35536f"  # neutral: a cluster mixes statuses
LAYER_COLOUR = "#0b6e99"
OTHER_COLOUR = "#9e9e9e"
# Categorised colours for a layer attribute (ColorBrewer Set3/Paired, distinguishable on a base map).
CATEGORY_PALETTE = [
    "#1f78b4",
    "#33a02c",
    "#e31a1c",
    "#ff7f00",
    "#6a3d9a",
    "#b15928",
    "#a6cee3",
    "#b2df8a",
    "#fb9a99",
    "#fdbf6f",
    "#cab2d6",
    "#ffff99",
]


@dataclass(frozen=True)
class MapParts:
    """What a template needs to show a map: links for <head>, the map <div>, and its script."""

    head: SafeString
    body: SafeString
    script: SafeString


@dataclass(frozen=True)
class Overlay:
    """A GeoJSON overlay fetched from our own server after the page loads."""

    name: str
    url: str
    colour: str
    weight: float = 1.0
    fill_opacity: float = 0.0
    show: bool = True


class RemoteGeoJson(folium.map.Layer):
    """A GeoJSON layer whose data the browser fetches from a URL (folium's GeoJson fetches at build time)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON(null, {
            style: {{ this.style|tojson }},
            interactive: false,
            pointToLayer: function (feature, latlng) {
                return L.circleMarker(latlng, Object.assign({radius: 5, fillOpacity: 0.8}, {{ this.style|tojson }}));
            },
        });
        fetch({{ this.url|tojson }}, {credentials: "same-origin"})
            .then(function (response) {
                if (!response.ok) { throw new Error(response.status); }
                return response.json();
            })
            .then(function (data) {
                {{ this.get_name() }}.addData(data);
            })
            .catch(function (error) { console.warn("overlay {{ this.layer_name }} not loaded: " + error); });
        {% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
        {% endmacro %}
        """
    )

    def __init__(self, overlay: Overlay):
        super().__init__(name=overlay.name, overlay=True, control=True, show=overlay.show)
        self._name = "RemoteGeoJson"
        self.url = overlay.url
        self.style = {
            "color": overlay.colour,
            "fillColor": overlay.colour,
            "weight": overlay.weight,
            "fillOpacity": overlay.fill_opacity,
        }


class FitBounds(MacroElement):
    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.fitBounds({{ this.bounds|tojson }}, {maxZoom: {{ this.max_zoom }}});
        {% endmacro %}"""
    )

    def __init__(self, bounds, max_zoom: int):
        super().__init__()
        self.bounds = bounds
        self.max_zoom = max_zoom


class LeafletInReadersLanguage(MacroElement):
    """Leaflet's own words in the reader's language (zoom, a popup's close button, the layer switcher); a metric scale.

    Leaflet writes them in English and offers no catalogue, so they are set on the map once it exists.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map, words) {
          var zoom = map.zoomControl;
          if (zoom) {
            [[zoom._zoomInButton, words.zoom_in], [zoom._zoomOutButton, words.zoom_out]].forEach(function (pair) {
              pair[0].title = pair[1];
              pair[0].setAttribute("aria-label", pair[1]);
            });
          }
          map.on("popupopen", function (event) {
            var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
            if (close) { close.setAttribute("aria-label", words.close_popup); }
          });
          L.control.scale({imperial: false}).addTo(map);
          // The layer switcher is added further down the page's script: name its button once it exists.
          setTimeout(function () {
            var toggle = map.getContainer().querySelector(".leaflet-control-layers-toggle");
            if (toggle) { toggle.title = words.layers; toggle.setAttribute("aria-label", words.layers); }
          }, 0);
        })({{ this._parent.get_name() }}, {{ this.words|tojson }});
        {% endmacro %}"""
    )

    def __init__(self):
        super().__init__()
        self.words = {
            "zoom_in": gettext("Zoom in"),
            "zoom_out": gettext("Zoom out"),
            "close_popup": gettext("Close"),
            "layers": gettext("Layers"),
        }


def _walk(element):
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _use_local_assets(folium_map: folium.Map) -> None:
    """Point every element's JS/CSS at our static files; refuse any asset we have no copy of."""
    for element in _walk(folium_map):
        if not isinstance(element, JSCSSMixin):
            continue
        for attribute in ("default_js", "default_css"):
            local = []
            for name, url in getattr(element, attribute):
                if name in DROP_ASSETS:
                    continue
                if name not in LOCAL_ASSETS:
                    raise ValueError(f"no local copy of folium asset {name!r} ({url}); vendor it in static/vendor")
                local.append((name, static(LOCAL_ASSETS[name])))
            setattr(element, attribute, local)  # on the instance: folium's class lists stay untouched


def _base_map(**options) -> folium.Map:
    # tiles=None plus maxZoom on the map: MarkerCluster needs a maxZoom even when base tiles are absent.
    # The region measures in metres: the scale is added without miles (LeafletInReadersLanguage).
    folium_map = folium.Map(tiles=None, maxZoom=19, minZoom=2, control_scale=False, **options)
    LeafletInReadersLanguage().add_to(folium_map)
    folium.TileLayer(
        tiles=settings.BASEMAP_TILES_URL, attr=settings.BASEMAP_ATTRIBUTION, name=gettext("Base map"), max_zoom=19
    ).add_to(folium_map)
    return folium_map


INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)  # a <script> without src


def _render(folium_map: folium.Map) -> MapParts:
    _use_local_assets(folium_map)
    figure = folium_map.get_root()
    figure.render()
    # folium's viewport tag forbids pinch-zoom (user-scalable=no), which people with low vision need;
    # the page's own tag in base.html allows it.
    head = FOLIUM_VIEWPORT.sub("", figure.header.render())
    # Inline scripts run only with the page's CSP nonce: folium's in <head> join the map script, which
    # the template writes in a <script> tag that carries the nonce (includes/map_script.html).
    inline = [match.group(1) for match in INLINE_SCRIPT.finditer(head)]
    head = INLINE_SCRIPT.sub("", head)
    return MapParts(
        head=mark_safe(head),
        body=mark_safe(figure.html.render()),
        script=mark_safe("\n".join([*inline, figure.script.render()])),
    )


class VectorTiles(JSCSSMixin, folium.map.Layer):
    """Our vector tiles drawn by Leaflet.VectorGrid (SVG), styled and identified by static/js/tile-maps.js.

    `style` and `identify` are JavaScript expressions built here from JSON-encoded values only.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.vectorGrid.protobuf({{ this.url|tojson }}, {
            rendererFactory: RegistryTiles.countTile,
            interactive: true,
            maxNativeZoom: 22,
            vectorTileLayerStyles: {{ '{' }}{{ this.tile_layer|tojson }}: {{ this.style }}{{ '}' }}
        });
        {{ this.identify }}({{ this.get_name() }}, {{ this._parent.get_name() }}, {{ this.identify_url|tojson }});
        {% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
        {% endmacro %}
        """
    )
    default_js = [("vectorGrid", ""), ("registry_tile_maps", "")]

    def __init__(
        self, *, name: str, url: str, tile_layer: str, style: str, identify: str, identify_url: str, show: bool = True
    ):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "VectorTiles"
        self.url = url
        self.tile_layer = tile_layer
        self.style = style
        self.identify = identify
        self.identify_url = identify_url


# JSON inside an inline <script>: values from uploaded files must not be able to close the tag.
_SCRIPT_SAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def _js_call(function: str, *arguments) -> str:
    return f"{function}({', '.join(json.dumps(argument).translate(_SCRIPT_SAFE) for argument in arguments)})"


@dataclass(frozen=True)
class TileOverlay:
    """A vector-tile layer an app hands the map builder: where its tiles are, how they are drawn and identified.

    `style` is a `style_call(...)` of a RegistryTiles style (static/js/tile-maps.js); `identify` names
    the RegistryTiles function a click calls with `identify_url` ({id} is the feature's id).
    """

    name: str
    tiles: str
    tile_layer: str
    style: str
    identify: str
    identify_url: str
    show: bool = True


def style_call(function: str, *arguments) -> str:
    """A call of one of RegistryTiles' style functions, its arguments safe inside an inline script."""
    return _js_call(function, *arguments)


def public_map(sites: TileOverlay, overlays: list[Overlay], tile_overlays: list[TileOverlay] = ()) -> MapParts:
    """The public map: `sites` as vector tiles (clusters with counts), GeoJSON and tile overlays to toggle.

    The page carries only the tile URLs, so its weight does not grow with the number of sites.
    """
    folium_map = _base_map(location=[5, 115], zoom_start=4, height="100%", width="100%")
    folium_map.fit_bounds(ASEAN_BOUNDS)
    for overlay in overlays:
        RemoteGeoJson(overlay).add_to(folium_map)
    for overlay in [*tile_overlays, sites]:
        VectorTiles(
            name=overlay.name,
            url=overlay.tiles,
            tile_layer=overlay.tile_layer,
            style=overlay.style,
            identify=overlay.identify,
            identify_url=overlay.identify_url,
            show=overlay.show,
        ).add_to(folium_map)
    # Open beside the map on a wide screen; folded into its button on a phone, where it would cover the map.
    folium.LayerControl(collapsed=ON_A_PHONE).add_to(folium_map)
    return _render(folium_map)


def colour_codes(colours: dict) -> dict[str, str]:
    """A vocabulary's colours keyed by their codes as text, as the tiles carry them."""
    return {str(code): colour for code, colour in colours.items()}


def point_map(location, *, colour: str, outline=None, overlays: list[Overlay] = ()) -> MapParts:
    """One place (a site): its point, its outline when known, and the overlays for context."""
    folium_map = _base_map(location=[location.y, location.x], zoom_start=11, height="100%", width="100%")
    for overlay in overlays:
        RemoteGeoJson(overlay).add_to(folium_map)
    if outline:
        folium.GeoJson(
            json.loads(outline.geojson),
            name=gettext("Footprint"),
            style_function=lambda _feature: {"color": colour, "weight": 2, "fillOpacity": 0.2},
        ).add_to(folium_map)
        xmin, ymin, xmax, ymax = outline.extent
        FitBounds([[ymin, xmin], [ymax, xmax]], max_zoom=14).add_to(folium_map)
    folium.CircleMarker(
        [location.y, location.x],
        radius=8,
        color="#ffffff",
        weight=2,
        fill=True,
        fill_color=colour,
        fill_opacity=0.95,
        tooltip=None,
    ).add_to(folium_map)
    if overlays:
        folium.LayerControl(collapsed=True).add_to(folium_map)
    return _render(folium_map)


def layer_map(
    *,
    name: str,
    tile_url: str,
    feature_url: str,
    extent: tuple[float, float, float, float] | None,
    categories: dict[str, str] | None = None,
    line_weight: float = 1.0,
) -> MapParts:
    """A survey layer as vector tiles, coloured by category when one is given, with identify-on-click."""
    folium_map = _base_map(location=[5, 115], zoom_start=4, height="100%", width="100%")
    if extent:
        xmin, ymin, xmax, ymax = extent
        folium_map.fit_bounds([[ymin, xmin], [ymax, xmax]])
    VectorTiles(
        name=name,
        url=tile_url,
        tile_layer="features",
        style=_js_call(
            "RegistryTiles.categoryStyle", categories, OTHER_COLOUR if categories else LAYER_COLOUR, line_weight
        ),
        identify="RegistryTiles.identifyFeatures",
        identify_url=feature_url,
    ).add_to(folium_map)
    return _render(folium_map)
