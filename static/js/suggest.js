// Suggestions under every search box (templates/includes/search_box.html), from /api/suggest:
// initiatives, departments, people and titles as the reader types, in Chinese or in pinyin
// (erfenfa, eff, zgj), and "您是不是要找" when nothing starts that way. The ARIA combobox pattern:
// arrow keys move through the list, Enter opens the chosen one, Escape closes it. Without the
// script the box is a plain search form.
(function () {
  var KINDS = { initiative: "改革举措", department: "部门", person: "人物", article: "报道" };
  var serial = 0;

  function attach(form) {
    var input = form.querySelector("input[name=q]");
    if (!input) { return; }
    var id = "suggest-" + (++serial), list = document.createElement("ul"), items = [], active = -1, timer, pending;
    list.id = id; list.className = "suggest-list"; list.setAttribute("role", "listbox"); list.setAttribute("aria-label", "检索建议"); list.hidden = true;
    form.appendChild(list);
    input.setAttribute("role", "combobox"); input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false"); input.setAttribute("aria-controls", id); input.setAttribute("autocomplete", "off");

    function close() {
      list.hidden = true; list.textContent = ""; items = []; active = -1;
      input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant");
    }
    function mark(i) {
      items.forEach(function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (i >= 0) { input.setAttribute("aria-activedescendant", items[i].id); items[i].scrollIntoView({ block: "nearest" }); }
      else { input.removeAttribute("aria-activedescendant"); }
    }
    function option(url, parts) {
      var li = document.createElement("li");
      li.id = id + "-" + items.length; li.setAttribute("role", "option"); li.setAttribute("aria-selected", "false");
      li.dataset.url = url;
      parts.forEach(function (p) {
        var span = document.createElement("span");
        span.className = p[0]; span.textContent = p[1]; li.appendChild(span);
      });
      list.appendChild(li); items.push(li);
    }
    function show(data) {
      close();
      (data.suggestions || []).forEach(function (s) {
        var parts = [["kind", KINDS[s.kind] || ""], ["label", s.label]];
        if (s.matched && s.matched !== s.label) { parts.push(["matched", "（" + s.matched + "）"]); }
        if (s.detail) { parts.push(["detail", s.detail]); }
        option(s.url, parts);
      });
      (data.did_you_mean || []).forEach(function (d) { option(d.url, [["kind", "您是不是要找"], ["label", d.query]]); });
      if (items.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
    }
    function ask() {
      var q = input.value.trim();
      if (pending) { pending.abort(); }
      if (!q) { close(); return; }
      pending = new AbortController();
      fetch("/api/suggest?q=" + encodeURIComponent(q), { signal: pending.signal, headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) { if (input.value.trim() === q) { show(data); } })
        .catch(function () {});
    }

    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 150); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && items.length) { e.preventDefault(); mark((active + 1) % items.length); }
      else if (e.key === "ArrowUp" && items.length) { e.preventDefault(); mark(active <= 0 ? items.length - 1 : active - 1); }
      else if (e.key === "Escape" && !list.hidden) { e.preventDefault(); close(); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); window.location.href = items[active].dataset.url; }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    // mousedown rather than click: the input's blur would otherwise close the list first.
    list.addEventListener("mousedown", function (e) {
      var li = e.target.closest("li[role=option]");
      if (li) { e.preventDefault(); window.location.href = li.dataset.url; }
    });
  }

  document.querySelectorAll("form.search-box").forEach(attach);
})();
