/* The program form's map: shows the venue's point and lets the provider drag (or click) the pin to the
   real entrance; the point goes into the hidden lat/lon fields. Without JavaScript the form still works
   and the address is geocoded as usual. */
(function () {
  "use strict";

  var box = document.getElementById("pin-map");
  var lat = document.getElementById("lat");
  var lon = document.getElementById("lon");
  var venue = document.getElementById("venue");
  var newVenue = document.getElementById("new-venue");
  var status = document.getElementById("pin-status");
  var reset = document.getElementById("pin-reset");
  if (!box || !lat || !lon || !window.L) { return; }

  var center = JSON.parse(box.getAttribute("data-center"));
  var map = L.map(box, { scrollWheelZoom: false }).setView([center[0], center[1]], center[2]);
  L.tileLayer(box.getAttribute("data-tiles"), {
    attribution: box.getAttribute("data-attribution"), maxZoom: 19
  }).addTo(map);
  var marker = null;

  function say(text) { if (status) { status.textContent = text; } }

  function keep(latlng) {
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    say("Точка уточнена вручную: " + lat.value + ", " + lon.value + ".");
  }

  function show(latlng, zoom) {
    if (!marker) {
      marker = L.marker(latlng, { draggable: true, keyboard: true, title: "Место проведения", alt: "Место проведения" });
      marker.on("dragend", function () { keep(marker.getLatLng()); });
      marker.addTo(map);
    } else {
      marker.setLatLng(latlng);
    }
    map.setView(latlng, zoom || Math.max(map.getZoom(), 16));
  }

  function chosenPoint() {
    if (!venue) { return null; }
    var option = venue.options[venue.selectedIndex];
    var pointLat = option && option.getAttribute("data-lat");
    var pointLon = option && option.getAttribute("data-lon");
    return pointLat && pointLon ? L.latLng(parseFloat(pointLat), parseFloat(pointLon)) : null;
  }

  function showVenue() {
    var isNew = !venue || venue.value === "new";
    if (newVenue) { newVenue.hidden = !isNew; }
    var point = chosenPoint();
    if (point) {
      show(point);
      say("Точка адреса из каталога. Перетащите метку, если она стоит не там.");
    } else if (marker) {
      map.removeLayer(marker);
      marker = null;
      say("Точка будет найдена по адресу при сохранении; можно поставить её щелчком по карте.");
    }
  }

  if (lat.value && lon.value) {
    show(L.latLng(parseFloat(lat.value), parseFloat(lon.value)));
    say("Точка уточнена вручную: " + lat.value + ", " + lon.value + ".");
    if (newVenue && venue) { newVenue.hidden = venue.value !== "new"; }
  } else {
    showVenue();
  }
  map.on("click", function (event) { show(event.latlng); keep(event.latlng); });
  if (venue) {
    venue.addEventListener("change", function () { lat.value = ""; lon.value = ""; showVenue(); });
  }
  if (reset) {
    reset.addEventListener("click", function () { lat.value = ""; lon.value = ""; showVenue(); });
  }
}());
