// The submission form's map: an enhancement of the latitude/longitude fields and the area
// select (templates/feedback/_map_picker.html). Click or tap to place the marker, drag it, or
// with the map focused move it with the arrow keys and press Enter; "Use my location" asks the
// browser. The chosen point fills the fields and, through /api/v1/areas/at.json, chooses the
// area, and a live region says both. Without JavaScript (or Leaflet) the map stays hidden.
(function () {
  "use strict";

  var STEP = 12; // pixels the marker moves per arrow key (five times that with Shift)

  function onReady(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function parseNumber(value) {
    var cleaned = String(value || "").trim().replace(",", ".").replace("\u2212", "-");
    if (!/^[+-]?\d+(\.\d+)?$/.test(cleaned)) { return null; }
    var number = parseFloat(cleaned);
    return isFinite(number) ? number : null;
  }

  onReady(function () {
    var root = document.getElementById("map-picker");
    if (!root || !window.L || !window.PortalMap || !window.fetch) { return; }
    var settings = root.dataset;
    var latInput = document.getElementById(settings.latitude);
    var lonInput = document.getElementById(settings.longitude);
    if (!latInput || !lonInput) { return; }
    var container = document.getElementById("map-picker-map");
    var status = document.getElementById("map-picker-status");
    var locate = document.getElementById("map-use-location");
    var PortalMap = window.PortalMap;
    var L = window.L;

    root.hidden = false;
    var map = null;
    var marker = null;
    var lookup = 0; // only the latest lookup's answer counts

    function setMarker(latlng) {
      if (marker) { marker.setLatLng(latlng); return; }
      marker = L.marker(latlng, { draggable: true, keyboard: false, alt: settings.msgMarker, title: settings.msgMarker }).addTo(map);
      marker.on("dragend", function () { choose(marker.getLatLng()); });
    }

    function choose(latlng) {
      var lat = latlng.lat.toFixed(6);
      var lon = latlng.lng.toFixed(6);
      latInput.value = lat;
      lonInput.value = lon;
      [latInput, lonInput].forEach(function (input) {
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
      var chosen = PortalMap.fill(settings.msgChosen, { lat: lat, lon: lon });
      var ticket = ++lookup;
      var url = settings.atUrl + "?lat=" + encodeURIComponent(lat) + "&long=" + encodeURIComponent(lon)
        + "&locale=" + encodeURIComponent(settings.locale);
      PortalMap.getJSON(url).then(function (data) {
        if (ticket !== lookup) { return; }
        if (data && data.area) {
          var select = document.getElementById(settings.area);
          if (select && select.querySelector("option[value='" + String(data.area.id).replace(/[^0-9]/g, "") + "']")) {
            select.value = String(data.area.id);
            select.dispatchEvent(new Event("change", { bubbles: true }));
          }
          PortalMap.announce(status, chosen + " " + PortalMap.fill(settings.msgArea, { name: data.area.name }));
        } else {
          PortalMap.announce(status, chosen + " " + ((data && data.message) || ""));
        }
      }).catch(function () {
        if (ticket === lookup) { PortalMap.announce(status, chosen + " " + settings.msgLookupFailed); }
      });
    }

    function fromInputs() {
      var lat = parseNumber(latInput.value);
      var lon = parseNumber(lonInput.value);
      if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) { return null; }
      return L.latLng(lat, lon);
    }

    PortalMap.create(container, settings, { keyboard: false }).then(function (made) {
      map = made.map;
      var start = fromInputs();
      if (start) { setMarker(start); map.setView(start, Math.max(map.getZoom(), 15)); }
      map.on("click", function (event) { setMarker(event.latlng); choose(event.latlng); });
    });

    // Typed coordinates move the marker (they stay the way to give a place without the map).
    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("change", function (event) {
        if (!map || !event.isTrusted) { return; }
        var point = fromInputs();
        if (point) { setMarker(point); map.panTo(point); }
      });
    });

    container.addEventListener("keydown", function (event) {
      if (!map || event.target !== container || event.altKey || event.ctrlKey || event.metaKey) { return; }
      var moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      var key = event.key;
      if (moves[key]) {
        event.preventDefault();
        if (!marker) { setMarker(fromInputs() || map.getCenter()); return; }
        var step = event.shiftKey ? STEP * 5 : STEP;
        var point = map.latLngToContainerPoint(marker.getLatLng()).add(L.point(moves[key][0] * step, moves[key][1] * step));
        var latlng = map.containerPointToLatLng(point);
        marker.setLatLng(latlng);
        map.panInside(latlng, { padding: [24, 24] });
      } else if (key === "Enter" || key === " ") {
        event.preventDefault();
        if (!marker) { setMarker(map.getCenter()); }
        choose(marker.getLatLng());
      } else if (key === "+" || key === "=") {
        event.preventDefault();
        map.zoomIn();
      } else if (key === "-" || key === "_") {
        event.preventDefault();
        map.zoomOut();
      }
    });

    locate.addEventListener("click", function () {
      if (!navigator.geolocation) { PortalMap.announce(status, settings.msgUnavailable); return; }
      PortalMap.announce(status, settings.msgLooking);
      navigator.geolocation.getCurrentPosition(function (position) {
        var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
        if (map) { setMarker(latlng); map.setView(latlng, Math.max(map.getZoom(), 16)); }
        choose(latlng);
      }, function (error) {
        PortalMap.announce(status, error && error.code === 1 ? settings.msgRefused : settings.msgUnavailable);
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  });
})();
