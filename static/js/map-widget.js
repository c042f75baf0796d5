/* Starts GeoDjango's OpenLayers map widget whose <div> holds this script, from the div's data attributes
   (templates/gis/openlayers-osm.html): the same options as Django's inline script, which the CSP forbids. */
(function () {
  "use strict";
  var wrapper = document.currentScript.parentElement;
  var data = wrapper.dataset;
  var options = {
    base_layer: new ol.layer.Tile({source: new ol.source.OSM()}),
    geom_name: data.geomName,
    id: data.id,
    map_id: data.id + "_map",
    map_srid: Number(data.mapSrid),
    name: data.name,
    default_lon: Number(data.defaultLon),
    default_lat: Number(data.defaultLat),
    default_zoom: Number(data.defaultZoom)
  };
  window["geodjango_" + data.name] = new MapWidget(options);
})();
