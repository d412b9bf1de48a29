// The editing desk's article form (templates/admin/archive/article/change_form.html).
// Up/down buttons on each section: they swap the sections on the page and renumber the order
// fields from the page order; the server saves the new orders in one go.
(function () {
  function items() {
    return Array.from(document.querySelectorAll("#sections-group .inline-related"))
      .filter(function (el) { return el.id && !el.id.endsWith("-empty"); });
  }
  function renumber() {
    var n = 1;
    items().forEach(function (el) {
      var input = el.querySelector("input.section-order");
      if (input) { input.value = n++; }
    });
  }
  function move(el, step) {
    var list = items(), i = list.indexOf(el), j = i + step;
    if (j < 0 || j >= list.length) { return; }
    var other = list[j];
    if (step < 0) { other.parentNode.insertBefore(el, other); } else { other.parentNode.insertBefore(other, el); }
    renumber();
    el.scrollIntoView({block: "nearest"});
  }
  function addButtons(el) {
    var h3 = el.querySelector("h3");
    if (!h3 || h3.querySelector(".section-move")) { return; }
    [["上移", -1], ["下移", 1]].forEach(function (pair) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "button section-move"; b.textContent = pair[0];
      b.setAttribute("aria-label", pair[0] + "这一节");
      b.addEventListener("click", function () { move(el, pair[1]); });
      h3.appendChild(b);
    });
  }
  function init() { items().forEach(addButtons); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
  document.addEventListener("formset:added", function (e) { if (e.target && e.target.closest("#sections-group")) { addButtons(e.target); } });
})();
