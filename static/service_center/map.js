// The petition form's map, "use my location" and nearby open cases: progressive enhancement.
// Without this file (or without JavaScript) the latitude and longitude inputs are the point and
// a post of the form shows the nearby cases. The inputs stay the source of truth: the map and
// the location button only fill them in.
(function () {
  "use strict";

  var DEBOUNCE_MS = 400;

  function byId(id) {
    return document.getElementById(id);
  }

  function parse(input) {
    var value = input && input.value.trim() !== "" ? Number(input.value) : NaN;
    return isFinite(value) ? value : null;
  }

  function bounds(box) {
    return {
      latMin: Number(box.dataset.latMin),
      latMax: Number(box.dataset.latMax),
      lonMin: Number(box.dataset.lonMin),
      lonMax: Number(box.dataset.lonMax),
    };
  }

  function inside(b, lat, lon) {
    return lat >= b.latMin && lat <= b.latMax && lon >= b.lonMin && lon <= b.lonMax;
  }

  function setup() {
    var form = byId("petition-form");
    var lat = byId("id_latitude");
    var lon = byId("id_longitude");
    if (!form || !lat || !lon) {
      return;
    }
    var category = byId("id_category");
    var nearby = byId("sc-nearby");
    var status = byId("sc-map-status");
    var tools = byId("sc-map-tools");
    var area = tools ? bounds(tools) : null;
    var point = { onChange: [] };

    function say(key) {
      if (status) {
        status.textContent = key ? status.dataset[key] || "" : "";
      }
    }

    function openCoordinates() {
      var details = lat.closest("details");
      if (details) {
        details.open = true;
      }
    }

    function setPoint(newLat, newLon) {
      lat.value = newLat.toFixed(6);
      lon.value = newLon.toFixed(6);
      openCoordinates();
      point.onChange.forEach(function (fn) {
        fn();
      });
    }

    setupNearby(nearby, category, lat, lon, area, point);
    setupLocate(byId("sc-locate"), area, say, setPoint);
    setupMap(byId("sc-map"), area, lat, lon, say, setPoint, point);
  }

  function setupNearby(nearby, category, lat, lon, area, point) {
    if (!nearby || !category || !area || !window.fetch) {
      return;
    }
    var timer = null;
    var latest = 0;
    function refresh() {
      var la = parse(lat);
      var lo = parse(lon);
      if (!category.value || la === null || lo === null || !inside(area, la, lo)) {
        // Half-typed or outside Kaohsiung: the form's own check explains it when it is sent,
        // and a list for an earlier point would mislead.
        latest++;
        nearby.textContent = "";
        return;
      }
      var url = nearby.dataset.url + "?" + new URLSearchParams({ category: category.value, lat: la, lon: lo });
      var ticket = ++latest;
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          return response.text();
        })
        .then(function (html) {
          if (ticket === latest) {
            // Same-origin HTML rendered by the server's templates (escaped there).
            nearby.innerHTML = html;
          }
        })
        .catch(function () {
          // The form still works: posting it shows the nearby cases.
        });
    }
    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, DEBOUNCE_MS);
    }
    category.addEventListener("change", later);
    lat.addEventListener("input", later);
    lon.addEventListener("input", later);
    point.onChange.push(later);
  }

  function setupLocate(button, area, say, setPoint) {
    if (!button || !area || !navigator.geolocation) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(
        function (position) {
          var la = position.coords.latitude;
          var lo = position.coords.longitude;
          if (!inside(area, la, lo)) {
            say("outside");
            return;
          }
          setPoint(la, lo);
          say("located");
        },
        function () {
          say("failed");
        },
        { enableHighAccuracy: true, timeout: 10000 }
      );
    });
  }

  function setupMap(box, b, lat, lon, say, setPoint, point) {
    // No tile server configured (MAP_TILE_URL) or Leaflet missing: no map, the inputs remain.
    if (!box || !b || !box.dataset.tiles || !window.L) {
      return;
    }
    var L = window.L;
    var area = L.latLngBounds([b.latMin, b.lonMin], [b.latMax, b.lonMax]);
    box.hidden = false;
    var help = byId("sc-map-help");
    if (help) {
      help.hidden = false;
    }
    var map = L.map(box, { maxBounds: area.pad(0.05), minZoom: 9 });
    L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution || "", maxZoom: 19 }).addTo(map);
    var marker = null;

    function showInputs() {
      var la = parse(lat);
      var lo = parse(lon);
      if (la === null || lo === null || !inside(b, la, lo)) {
        return false;
      }
      if (marker) {
        marker.setLatLng([la, lo]);
      } else {
        marker = L.marker([la, lo]).addTo(map);
      }
      return true;
    }

    if (showInputs()) {
      map.setView(marker.getLatLng(), 17);
    } else {
      map.setView([Number(box.dataset.centreLat), Number(box.dataset.centreLon)], 12);
    }
    map.on("click", function (event) {
      if (!inside(b, event.latlng.lat, event.latlng.lng)) {
        say("outside");
        return;
      }
      say("");
      setPoint(event.latlng.lat, event.latlng.lng);
    });
    lat.addEventListener("change", showInputs);
    lon.addEventListener("change", showInputs);
    point.onChange.push(showInputs);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
