// The public map of requests (templates/feedback/map.html): markers at the public, rounded
// positions from map.geojson (the list's filters), grouped when they crowd, each a focusable
// button whose popup links to its request. The list is the accessible equivalent and the
// page links to it before the map; without JavaScript the page says so.
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content != null) { node.textContent = String(content); }
    return node;
  }

  onReady(function () {
    var root = document.getElementById("requests-map-view");
    if (!root || !window.L || !window.PortalMap || !window.fetch) { return; }
    var L = window.L;
    var PortalMap = window.PortalMap;
    var settings = root.dataset;
    var status = document.getElementById("requests-map-status");
    var fallback = document.getElementById("requests-map-fallback");
    root.hidden = false;
    if (fallback) { fallback.hidden = true; }

    function popup(props) {
      var box = el("div", "map-popup");
      box.setAttribute("dir", document.documentElement.dir || "ltr");
      var heading = el("p", "map-popup__title");
      var link = el("a", null, props.title || props.code);
      link.href = props.url;
      if (props.lang) { link.lang = props.lang; }
      link.dir = "auto";
      heading.appendChild(link);
      box.appendChild(heading);
      box.appendChild(el("p", "map-popup__state", props.state));
      var code = el("p", "map-popup__code");
      var digits = el("bdi", "request-code", props.code);
      digits.dir = "ltr";
      code.appendChild(digits);
      box.appendChild(code);
      return box;
    }

    function clusterIcon(cluster) {
      var count = cluster.getChildCount();
      var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
      var inner = el("div");
      inner.appendChild(el("span", null, count));
      var hidden = el("span", "visually-hidden", " " + PortalMap.fill(settings.msgCluster, { num: count }));
      inner.appendChild(hidden);
      return L.divIcon({ html: inner, className: "marker-cluster marker-cluster-" + size, iconSize: L.point(40, 40) });
    }

    PortalMap.create(document.getElementById("requests-map"), settings, { keyboard: true }).then(function (made) {
      var map = made.map;
      return PortalMap.getJSON(settings.pointsUrl).then(function (data) {
        var group = L.markerClusterGroup
          ? L.markerClusterGroup({ iconCreateFunction: clusterIcon, showCoverageOnHover: false, maxClusterRadius: 40 })
          : L.layerGroup();
        var features = (data && data.features) || [];
        features.forEach(function (feature) {
          var c = feature.geometry && feature.geometry.coordinates;
          var props = feature.properties || {};
          if (!c || c.length < 2) { return; }
          var name = PortalMap.fill(settings.msgMarker, { code: props.code, title: props.title || "" });
          var marker = L.marker([c[1], c[0]], { keyboard: true, alt: name, title: name });
          marker.bindPopup(popup(props));
          group.addLayer(marker);
        });
        group.addTo(map);
        var message = features.length ? PortalMap.fill(settings.msgCount, { num: features.length }) : settings.msgNone;
        if (data && data.note) { message += " " + data.note; }
        PortalMap.announce(status, message);
      });
    }).catch(function () {
      PortalMap.announce(status, settings.msgFailed);
      if (fallback) { fallback.hidden = false; }
    });
  });
})();
