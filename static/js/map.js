/* Markers and popups of the site's maps, made from the JSON data block that navigator/maps.py puts
   next to each map.
   User text goes in with textContent, never as HTML. */
(function () {
  "use strict";

  function popupContent(data, pin) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var title;
    if (data.link && pin[4]) {
      title = document.createElement("a");
      title.href = data.link.replace("{id}", encodeURIComponent(pin[4]));
    } else {
      title = document.createElement("strong");
    }
    title.className = "map-popup__title";
    title.textContent = pin[2];
    box.appendChild(title);
    var label = data.labels[pin[3]];
    if (label) {
      var line = document.createElement("p");
      line.className = "map-popup__subtitle";
      line.textContent = label;
      box.appendChild(line);
    }
    return box;
  }

  function countText(count) {
    var ten = count % 10, hundred = count % 100;
    var word = (ten === 1 && hundred !== 11) ? "программа" :
      (ten >= 2 && ten <= 4 && (hundred < 12 || hundred > 14)) ? "программы" : "программ";
    return count.toLocaleString("ru-RU") + " " + word;
  }

  function addCentre(map, centre) {
    // The searched point and its radius; the label is written with textContent like every user text.
    if (centre[2] > 0) {
      L.circle([centre[0], centre[1]], { radius: centre[2], color: "#1f5fa8", weight: 2, fillOpacity: 0.06,
                                         interactive: false }).addTo(map);
    }
    var label = document.createElement("span");
    label.textContent = "Вы искали здесь: " + centre[3];
    L.circleMarker([centre[0], centre[1]], { radius: 8, color: "#ffffff", weight: 3, fillColor: "#c0392b",
                                             fillOpacity: 1 })
      .bindTooltip(label, { permanent: false, direction: "top" }).addTo(map);
  }

  function clusterIcon(cluster) {
    // markercluster's own icon, but read out as «12 программ» rather than a bare number.
    var count = cluster.getChildCount();
    var size = count < 10 ? "small" : (count < 100 ? "medium" : "large");
    var box = document.createElement("div");
    var number = document.createElement("span");
    number.setAttribute("aria-hidden", "true");
    number.textContent = String(count);
    var words = document.createElement("span");
    words.className = "visually-hidden";
    words.textContent = countText(count) + " — приблизить";
    box.appendChild(number);
    box.appendChild(words);
    var outer = document.createElement("div");
    outer.appendChild(box);
    return new L.DivIcon({ html: outer.innerHTML, className: "marker-cluster marker-cluster-" + size,
                           iconSize: new L.Point(40, 40) });
  }

  /* Results grouped on the server (a large search): one marker per cell, with its count, linking to the
     same search narrowed to that place. */
  function addCells(layer, data) {
    data.cells.forEach(function (cell) {
      var text = countText(cell[2]);
      var size = cell[2] < 10 ? 30 : cell[2] < 100 ? 36 : 44;
      var icon = L.divIcon({ className: "server-cluster", html: "<span></span>", iconSize: [size, size] });
      var marker = L.marker([cell[0], cell[1]], { icon: icon, title: text, alt: text, keyboard: true });
      marker.on("add", function () {
        var element = marker.getElement();
        element.querySelector("span").textContent = cell[2].toLocaleString("ru-RU");
        element.setAttribute("aria-label", text);
      });
      marker.bindPopup(function () {
        var box = document.createElement("div");
        box.className = "map-popup";
        var link = document.createElement("a");
        link.className = "map-popup__title";
        link.href = data.narrow.replace("{lat}", cell[0]).replace("{lon}", cell[1]).replace("{radius}", cell[3]);
        link.textContent = "Показать " + text + " здесь";
        box.appendChild(link);
        return box;
      });
      layer.addLayer(marker);
    });
  }

  function addPins(layer, dataId, map) {
    if (layer.options && typeof layer.refreshClusters === "function") {
      layer.options.iconCreateFunction = clusterIcon;
    }
    var data = JSON.parse(document.getElementById(dataId).textContent);
    if (data.centre && map) {
      addCentre(map, data.centre);
    }
    if (data.cells) {
      addCells(layer, data);
      return;
    }
    var markers = data.pins.map(function (pin) {
      // Coordinates come as whole hundred-thousandths of a degree (navigator/maps.py, PIN_SCALE).
      var marker = L.marker([pin[0] / 1e5, pin[1] / 1e5], { alt: pin[2], title: pin[2], keyboard: true });
      marker.bindPopup(function () { return popupContent(data, pin); });
      return marker;
    });
    if (layer.addLayers) {
      layer.addLayers(markers);
    } else {
      markers.forEach(function (marker) { layer.addLayer(marker); });
    }
  }

  window.NavigatorMap = { addPins: addPins };
}());
