/* Drawing and identify for the registry's vector tiles: clusters with their counts, status colours,
   categorised layer colours, and popups built with DOM calls so data can never inject markup. */
(function () {
  "use strict";

  // Texts through the page's JavaScript catalog (/jsi18n/) when it is loaded; as written otherwise.
  var gettext = typeof window.gettext === "function" ? window.gettext : function (text) { return text; };
  var interpolate = typeof window.interpolate === "function" ? window.interpolate : function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (whole, name) { return String(values[name]); });
  };

  // An SVG tile renderer that writes each cluster's count inside its circle. It also gives point symbols
  // their latitude/longitude: Leaflet 1.9 asks a clicked circle for getLatLng(), which VectorGrid leaves unset.
  L.SVG.CountTile = L.SVG.Tile.extend({
    _addPath: function (layer) {
      L.SVG.Tile.prototype._addPath.call(this, layer);
      if (layer._point && !layer._latlng) {
        var coords = this._tileCoord;
        var origin = L.point(coords.x * this._size.x, coords.y * this._size.y);
        layer._latlng = L.CRS.EPSG3857.pointToLatLng(origin.add(layer._point), coords.z);
      }
      var count = layer.properties && layer.properties.count;
      if (count > 1 && layer._point && !layer._countDrawn) {
        var text = L.SVG.create("text");
        text.setAttribute("x", layer._point.x);
        text.setAttribute("y", layer._point.y);
        text.setAttribute("class", "cluster-count");
        text.setAttribute("text-anchor", "middle");
        text.setAttribute("dominant-baseline", "central");
        text.textContent = count >= 10000
          ? interpolate(gettext("%(thousands)sk"), {thousands: Math.round(count / 1000)}, true) : String(count);
        // Counts live in their own group, kept last, so a neighbouring circle never covers one.
        if (!this._counts) { this._counts = L.SVG.create("g"); }
        this._counts.appendChild(text);
        this._rootGroup.appendChild(this._counts);
        layer._countDrawn = true;
      }
    }
  });

  function countTile(coords, size, options) {
    return new L.SVG.CountTile(coords, size, options);
  }

  // Single sites take the colour of one attribute: "status", or "remediation" (progress) when asked.
  function siteStyle(colours, clusterColour, attribute) {
    attribute = attribute || "status";
    return function (properties) {
      var count = properties.count || 1;
      if (count > 1) {
        var radius = Math.min(7 + 2.4 * Math.log(count), 22);
        return {radius: radius, weight: 2, color: "#ffffff", fill: true, fillColor: clusterColour, fillOpacity: 0.85};
      }
      return {radius: 6, weight: 1, color: "#ffffff", fill: true,
              fillColor: colours[properties[attribute]] || clusterColour, fillOpacity: 0.95};
    };
  }

  function categoryStyle(colours, otherColour, lineWeight, attribute) {
    attribute = attribute || "value";
    return function (properties) {
      var colour = colours ? (colours[properties[attribute]] || otherColour) : otherColour;
      return {weight: lineWeight, color: colour, fill: true, fillColor: colour, fillOpacity: 0.45, radius: 5};
    };
  }

  // Hazards by priority. A generalised one (placed only to about a kilometre) is a wide pale ring,
  // so nobody reads it as the exact place of an opening.
  function hazardStyle(colours) {
    return function (properties) {
      var colour = colours[properties.priority] || "#555555";
      if (properties.generalised) {
        return {radius: 14, weight: 2, dashArray: "4 3", color: colour, fill: true, fillColor: colour,
                fillOpacity: 0.2};
      }
      return {radius: 6, weight: 1.5, color: "#ffffff", fill: true, fillColor: colour, fillOpacity: 0.8};
    };
  }

  function getJson(url) {
    return fetch(url, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    });
  }

  function sitePopup(site) {
    var box = document.createElement("div");
    box.className = "site-popup";
    var title = document.createElement("a");
    title.href = site.url;
    title.textContent = site.display_name || site.name;
    title.className = "site-popup-name";
    var status = document.createElement("div");
    status.textContent = site.status_label + " · " + site.country;
    var commodities = document.createElement("div");
    commodities.textContent = site.commodities.join(", ");
    box.append(title, status, commodities);
    return box;
  }

  function featurePopup(feature) {
    var table = document.createElement("table");
    table.className = "identify";
    Object.entries(feature.properties || {}).forEach(function (entry) {
      var row = table.insertRow();
      row.insertCell().textContent = entry[0];
      row.insertCell().textContent = entry[1] === null ? "" : String(entry[1]);
    });
    return table;
  }

  // A record (measure or hazard) summarised by the server: its title, its site, then a table of facts.
  function recordPopup(record) {
    var box = document.createElement("div");
    box.className = "record-popup";
    var title = document.createElement("strong");
    title.textContent = record.title;
    var site = document.createElement("a");
    site.href = record.site.url;
    site.textContent = record.site.name;
    site.className = "site-popup-name";
    box.append(title, document.createElement("br"), site, featurePopup(record));
    return box;
  }

  function identifyRecords(layer, map, recordUrl) {
    layer.on("click", function (event) {
      var id = (event.layer.properties || {}).id;
      getJson(recordUrl.replace("{id}", id)).then(function (record) {
        L.popup({maxHeight: 300}).setLatLng(event.latlng).setContent(recordPopup(record)).openOn(map);
      }).catch(function (error) { console.warn("record " + id + " not identified: " + error); });
    });
  }

  // A click on a cluster zooms in on it; a click on one site asks the server about it.
  function identifySites(layer, map, summaryUrl) {
    layer.on("click", function (event) {
      var properties = event.layer.properties || {};
      if ((properties.count || 1) > 1) {
        map.setView(event.latlng, Math.min(map.getZoom() + 2, map.getMaxZoom()));
        return;
      }
      getJson(summaryUrl.replace("{id}", properties.id)).then(function (site) {
        L.popup().setLatLng(event.latlng).setContent(sitePopup(site)).openOn(map);
      }).catch(function (error) { console.warn("site " + properties.id + " not identified: " + error); });
    });
  }

  function identifyFeatures(layer, map, featureUrl) {
    layer.on("click", function (event) {
      var fid = (event.layer.properties || {}).fid;
      getJson(featureUrl.replace("{fid}", fid)).then(function (feature) {
        L.popup({maxHeight: 300}).setLatLng(event.latlng).setContent(featurePopup(feature)).openOn(map);
      }).catch(function (error) { console.warn("feature " + fid + " not identified: " + error); });
    });
  }

  window.RegistryTiles = {
    countTile: countTile,
    siteStyle: siteStyle,
    categoryStyle: categoryStyle,
    hazardStyle: hazardStyle,
    identifySites: identifySites,
    identifyRecords: identifyRecords,
    identifyFeatures: identifyFeatures
  };
})();
