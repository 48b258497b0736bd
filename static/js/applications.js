/* «Мои заявки»: the applications sent from this device, kept in this browser's localStorage only.
   The status page adds or updates its application; the list page shows them. The server keeps no list. */
(function () {
  "use strict";
  var KEY = "navigator.applications";

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY)) || []; } catch (e) { return []; }
  }

  function save(items) {
    try { window.localStorage.setItem(KEY, JSON.stringify(items)); } catch (e) { /* storage off: no list */ }
  }

  function remember(page) {
    var entry = {path: page.dataset.path, number: page.dataset.number, title: page.dataset.title,
                 state: page.dataset.state, seen: new Date().toISOString()};
    var items = load().filter(function (item) { return item.path !== entry.path; });
    items.unshift(entry);
    save(items);
  }

  function show(list) {
    var items = load();
    document.getElementById("my-applications-empty").hidden = items.length > 0;
    items.forEach(function (item) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.path;
      link.textContent = "Заявка № " + item.number + " — «" + item.title + "»";
      li.appendChild(link);
      li.appendChild(document.createTextNode(" (" + item.state + ")"));
      list.appendChild(li);
    });
  }

  var page = document.getElementById("application");
  if (page) { remember(page); }
  var list = document.getElementById("my-applications");
  if (list) { show(list); }
})();
