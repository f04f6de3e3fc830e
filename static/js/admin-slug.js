/* The page editor's slug field follows the title as the editor types: pinyin, unique among the
 * page's siblings (the admin endpoint /admin/slug-suggestion/ computes it, the same rules the
 * server applies on save when the slug is left empty). A slug the editor typed by hand, and the
 * slug of an existing page (its URL), are left alone. Loaded by portal/wagtail_hooks.py. */
(function () {
  "use strict";
  var script = document.currentScript;
  var endpoint = script && script.getAttribute("data-endpoint");

  function start() {
    var title = document.getElementById("id_title");
    var slug = document.getElementById("id_slug");
    if (!endpoint || !title || !slug) {
      return;
    }
    var editMatch = window.location.pathname.match(/\/pages\/(\d+)\/edit\//);
    var addMatch = window.location.pathname.match(/\/pages\/add\/[^/]+\/[^/]+\/(\d+)\//);
    if (!editMatch && !addMatch) {
      return;
    }
    // New pages, and pages whose slug was emptied, follow the title; others keep their URL.
    var auto = !!addMatch || !slug.value;
    var lastAuto = slug.value;
    var timer = null;
    var sequence = 0;
    var itemCode = document.getElementById("id_item_code");

    function query() {
      var params = new URLSearchParams();
      params.set("title", title.value);
      if (itemCode && itemCode.value) {
        params.set("item_code", itemCode.value);
      }
      if (editMatch) {
        params.set("page", editMatch[1]);
      } else {
        params.set("parent", addMatch[1]);
      }
      return endpoint + "?" + params.toString();
    }

    function refresh() {
      if (!auto) {
        return;
      }
      var mine = ++sequence;
      fetch(query(), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (!data || mine !== sequence || !auto) {
            return;
          }
          slug.value = data.slug || "";
          lastAuto = slug.value;
          slug.setAttribute("data-gongkai-slug", "auto");
        })
        .catch(function () {
          /* the server fills the slug on save anyway */
        });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 200);
    }

    ["input", "keyup", "change", "blur"].forEach(function (name) {
      title.addEventListener(name, schedule);
      if (itemCode) {
        itemCode.addEventListener(name, schedule);
      }
    });
    slug.addEventListener("input", function () {
      // Typed by hand: stop following the title, unless the editor clears it again.
      auto = slug.value === "" || slug.value === lastAuto;
    });
    if (auto && title.value) {
      schedule();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
