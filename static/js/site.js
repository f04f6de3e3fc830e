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
  // A wide table that scrolls sideways (small screens) takes keyboard focus, so that it can be
  // scrolled with the arrow keys (WCAG 2.1.1); named after its caption. Not a tab stop otherwise.
  function markScrollable() {
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (box.getAttribute("tabindex") !== "0") {
          var caption = box.querySelector("caption");
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          if (caption) { box.setAttribute("aria-label", caption.textContent.trim()); }
        }
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  markScrollable();
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(markScrollable, 150);
  });
})();
