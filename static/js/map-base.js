// What the portal's maps share (the submission form's and the map of requests): the base
// layer and the start view. Settings come from data- attributes (no inline scripts).
// Progressive enhancement only: every page with a map works without it.
(function () {
  "use strict";

  function text(value) { return value == null ? "" : String(value); }

  // "Point {lat}" + {lat: 1} → "Point 1" (the templates translate, with {name} placeholders).
  function fill(template, values) {
    return text(template).replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? text(values[key]) : all;
    });
  }

  function escapeHtml(value) {
    var span = document.createElement("span");
    span.textContent = text(value);
    return span.innerHTML;
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }

  // A live region says a new text even when it equals the last one.
  function announce(region, message) {
    if (!region) { return; }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = message; }, 50);
  }

  // The Leaflet map in ``container`` with the base layer from ``settings`` (the root's data-
  // attributes): the tile server if one is configured, the area outlines (named) always, and
  // the demo streets when there are no tiles. Resolves to {map, areas} once the view is set.
  function create(container, settings, options) {
    var L = window.L;
    var map = L.map(container, Object.assign({
      zoomControl: false, attributionControl: true, minZoom: 11, maxZoom: 18, zoomSnap: 0.25,
      center: [47.03, 8.045], zoom: 13,
    }, options || {}));
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    L.control.zoom({
      zoomInTitle: settings.msgZoomIn || "Zoom in", zoomOutTitle: settings.msgZoomOut || "Zoom out",
      zoomInText: "+", zoomOutText: "\u2212",
    }).addTo(map);
    // Street names only from zoom 14 on: further out they cover the areas' names.
    function labels() { container.classList.toggle("map--far", map.getZoom() < 14); }
    map.on("zoomend", labels);
    labels();
    var tiles = !!settings.tileUrl;
    if (tiles) {
      L.tileLayer(settings.tileUrl, { attribution: escapeHtml(settings.tileAttribution), maxZoom: 19 }).addTo(map);
    }
    map.on("popupopen", function (event) {
      var close = event.popup.getElement() && event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close && settings.msgClose) { close.setAttribute("aria-label", settings.msgClose); close.title = settings.msgClose; }
    });
    var streets = tiles || !settings.streetsUrl ? Promise.resolve(null) : getJSON(settings.streetsUrl).then(function (data) {
      return L.geoJSON(data, {
        interactive: false,
        style: function (feature) {
          var river = feature.properties && feature.properties.kind === "river";
          return river ? { color: "#1d6fa5", weight: 6, opacity: 0.55 } : { color: "#8a8a8a", weight: 3, opacity: 0.9 };
        },
        onEachFeature: function (feature, layer) {
          if (feature.properties && feature.properties.name) {
            // Permanent labels: a hover-only tooltip would make the line a Tab stop in Chrome.
            layer.bindTooltip(escapeHtml(feature.properties.name), { permanent: true, direction: "center", className: "map-street-label" });
          }
        },
      }).addTo(map);
    }).catch(function () { return null; });
    var areas = getJSON(settings.areasUrl).then(function (data) {
      var features = (data && data.features) || [];
      var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
        interactive: false,
        style: function (feature) {
          var level = feature.properties && feature.properties.level;
          if (level === "city") { return { color: "#0b3d5c", weight: 3, fill: false }; }
          if (level === "district") { return { color: "#0b3d5c", weight: 2, dashArray: "6 4", fill: false }; }
          return { color: "#4c2c92", weight: 1, fillColor: "#4c2c92", fillOpacity: 0.04 };
        },
        onEachFeature: function (feature, layer) {
          var props = feature.properties || {};
          if (props.level === "community" && props.name) {
            layer.bindTooltip(escapeHtml(props.name), { permanent: true, direction: "center", className: "map-area-label" });
          }
        },
      }).addTo(map);
      var city = features.filter(function (f) { return f.properties && f.properties.level === "city"; });
      var bounds = city.length ? L.geoJSON(city[0]).getBounds() : layer.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [8, 8] }); }
      return layer;
    }).catch(function () { return null; });
    return Promise.all([areas, streets]).then(function (layers) { return { map: map, areas: layers[0] }; });
  }

  window.PortalMap = { create: create, fill: fill, announce: announce, getJSON: getJSON, escapeHtml: escapeHtml };
})();
