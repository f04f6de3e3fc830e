/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  // Search suggestions under inputs that ask for them (data-suggest="/api/suggest/").
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var listId = input.id + "-suggestions";
    var list = document.createElement("datalist");
    list.id = listId;
    input.setAttribute("list", listId);
    input.parentNode.appendChild(list);
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { return; }
      timer = setTimeout(function () {
        fetch(input.dataset.suggest + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
          .then(function (data) {
            list.innerHTML = "";
            (data.suggestions || []).forEach(function (s) {
              var option = document.createElement("option");
              option.value = s.title || s;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 150);
    });
  });
  // Print buttons.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
