// recordskit serve: the only script. The pages work without it; with it, a page with problems
// puts the keyboard on its list of problems (a screen reader reads it), and a link in that list
// puts the keyboard on the field it names.
(function () {
  "use strict";
  function ready() {
    var summary = document.getElementById("error-summary");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a");
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      var field = target.matches("input, textarea, select") ? target
        : target.querySelector("input:checked, input, textarea, select");
      if (field) { event.preventDefault(); field.focus(); field.scrollIntoView({block: "center"}); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); }
  else { ready(); }
}());
