/* The coverage maps, drawn from the JSON data block that navigator/coverage/maps.py puts next to each map:
   municipalities filled by an indicator (areas) and coloured circles (points).
   Names go in with textContent, never as HTML. */
(function () {
  "use strict";

  function readData(dataId) {
    return JSON.parse(document.getElementById(dataId).textContent);
  }

  /* «Техническая: 3 · Художественная: 1» from counts per legend entry. */
  function counts(data, values) {
    var parts = [];
    (values || []).forEach(function (value, index) {
      if (value) { parts.push(data.legend[index][0] + ": " + value); }
    });
    return parts.length ? "Программ — " + parts.join(" · ") : "";
  }

  function lines(title, subtitle, link, detail) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var head = document.createElement(link ? "a" : "strong");
    if (link) { head.href = link; }
    head.className = "map-popup__title";
    head.textContent = title;
    box.appendChild(head);
    if (subtitle) {
      var line = document.createElement("p");
      line.className = "map-popup__subtitle";
      line.textContent = subtitle;
      box.appendChild(line);
    }
    if (detail) {
      var more = document.createElement("p");
      more.className = "map-popup__subtitle";
      more.textContent = detail;
      box.appendChild(more);
    }
    return box;
  }

  function areas(layer, dataId) {
    var data = readData(dataId);
    L.geoJSON(data.shapes, {
      style: function (feature) {
        var area = data.areas[feature.properties.name];
        return { fillColor: area ? area[0] : data.noData, fillOpacity: 0.75, color: "#444", weight: 1 };
      },
      onEachFeature: function (feature, shape) {
        var name = feature.properties.name;
        var area = data.areas[name];
        shape.bindTooltip(function () { return lines(name, area ? area[1] : "нет данных"); }, { sticky: true });
        if (area && area[2]) {
          shape.bindPopup(function () { return lines(name, area[1], area[2]); });
        }
      }
    }).addTo(layer);
  }

  function points(layer, dataId) {
    var data = readData(dataId);
    var renderer = L.canvas({ padding: 0.5 });
    data.points.forEach(function (point) {
      var colour = data.legend[point[2]][1];
      var marker = L.circleMarker([point[0], point[1]], {
        renderer: renderer, radius: data.radius, color: "#333", weight: 1, fillColor: colour, fillOpacity: 0.9
      });
      marker.bindPopup(function () { return lines(point[3], data.labels[point[4]], null, counts(data, point[5])); });
      layer.addLayer(marker);
    });
  }

  window.NavigatorCoverage = { areas: areas, points: points };
}());
