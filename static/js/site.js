/* Improvements for browsers with JavaScript; every page works without them.
   - The district list follows the chosen municipality.
   - «Near me»: the browser's geolocation fills the near parameter and orders by distance;
     typing a place makes the radius choosable at once.
   - The search form sends only the fields that are filled in (no «age=&price_max=…» in the address).
   - Back shows the form as the results were searched: a page restored from the browser's cache puts
     every field back to the values it was rendered with (the ones of its own address). */
(function () {
  "use strict";

  function followMunicipality() {
    var municipality = document.getElementById("municipality");
    var district = document.getElementById("district");
    var data = document.getElementById("districts-data");
    if (!municipality || !district || !data) { return; }
    var districts = JSON.parse(data.textContent);
    municipality.addEventListener("change", function () {
      var choices = districts[municipality.value] || [];
      while (district.options.length > 1) { district.remove(1); }
      choices.forEach(function (choice) { district.add(new Option(choice[1], String(choice[0]))); });
      district.value = "";
      district.disabled = choices.length === 0;
    });
  }

  function radiusFollowsPlace() {
    var place = document.getElementById("place");
    var radius = document.getElementById("radius_km");
    var near = document.getElementById("near");
    if (!place || !radius || !near) { return; }
    place.addEventListener("input", function () {
      radius.disabled = !place.value.trim() && !near.value;
    });
  }

  function submitFilled(form) {
    // The address carries only what is chosen; disabled fields are left out, as a browser leaves them out.
    var params = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled || field.value.trim() === "") { return; }
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) { return; }
      if (field.type === "submit" || field.type === "button") { return; }
      params.append(field.name, field.value.trim());
    });
    var query = params.toString();
    window.location.assign(form.action.split("?")[0] + (query ? "?" + query : ""));
  }

  function cleanSubmit() {
    var form = document.getElementById("search-form");
    if (!form || !window.URLSearchParams) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submitFilled(form);
    });
  }

  function formFollowsHistory() {
    var form = document.getElementById("search-form");
    if (!form) { return; }
    var district = document.getElementById("district");
    var districtOptions = district ? district.innerHTML : null;
    var districtDisabled = district ? district.disabled : null;
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) { return; }
      form.reset();  // back to the values rendered for this page's own address
      if (district) {
        district.innerHTML = districtOptions;
        district.disabled = districtDisabled;
        form.reset();
      }
      var radius = document.getElementById("radius_km");
      var place = document.getElementById("place");
      var near = document.getElementById("near");
      if (radius && place && near) { radius.disabled = !place.value.trim() && !near.value; }
    });
  }

  function nearMe() {
    var button = document.getElementById("locate");
    var form = document.getElementById("search-form");
    if (!button || !form || !("geolocation" in navigator)) { return; }
    var status = document.getElementById("near-status");
    var radius = document.getElementById("radius_km");  // the search page's; the home page has none
    var sort = document.getElementById("sort");
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = "Определяем местоположение…";
      navigator.geolocation.getCurrentPosition(function (position) {
        document.getElementById("near").value =
          position.coords.latitude.toFixed(6) + "," + position.coords.longitude.toFixed(6);
        if (sort) { sort.value = "distance"; }
        document.getElementById("place").value = "";
        if (radius) { radius.disabled = false; }
        status.textContent = "Местоположение определено, ищем рядом.";
        if (window.URLSearchParams) { submitFilled(form); } else { form.submit(); }
      }, function () {
        status.textContent = "Не удалось определить местоположение. Напишите улицу или населённый пункт.";
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    followMunicipality();
    radiusFollowsPlace();
    nearMe();
    cleanSubmit();
    formFollowsHistory();
  });
}());
