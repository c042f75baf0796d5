"""Map widgets for forms and the admin, with OpenLayers served from our static files."""

from django.contrib.gis.forms.widgets import OSMWidget


class LocalOSMWidget(OSMWidget):
    """GeoDjango's OSM widget without its CDN links (only the base-map tiles come from outside)."""

    class Media:
        extend = False  # drop the parent's CDN links instead of adding to them
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js")
