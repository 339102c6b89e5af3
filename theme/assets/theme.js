// The reader's colour scheme: the one they chose with the switch (kept in
// this browser), else the one their system asks for (the stylesheet's own
// media query). Loaded in <head>, before the page is drawn, so a dark
// choice never flashes light. Nothing is requested from anywhere.
(function () {
  "use strict";
  var KEY = "manual-colour-scheme";
  var root = document.documentElement;
  var chosen = null;
  try { chosen = window.localStorage.getItem(KEY); } catch (e) { chosen = null; }
  if (chosen === "dark" || chosen === "light") root.setAttribute("data-theme", chosen);

  function isDark() {
    var theme = root.getAttribute("data-theme");
    if (theme) return theme === "dark";
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var header = document.querySelector(".govuk-header__container");
    if (!header) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "theme-switch";
    button.textContent = "Dark mode";
    function show() { button.setAttribute("aria-pressed", isDark() ? "true" : "false"); }
    show();
    button.addEventListener("click", function () {
      var next = isDark() ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { window.localStorage.setItem(KEY, next); } catch (e) { /* kept for this page only */ }
      show();
    });
    header.appendChild(button);
  });
})();
