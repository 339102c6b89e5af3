(() => {
  const shown = __BUILD__;
  let build = shown;
  const overlayId = "manual-serve-overlay";
  // `failed`: the last change could not be built, so the page shown is the
  // last good version and `problems` says why. Otherwise `problems` are what
  // `check` finds in the site being shown.
  function overlay(failed, problems) {
    let box = document.getElementById(overlayId);
    const errors = problems.filter(p => p.severity === "error");
    if (problems.length === 0) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = overlayId;
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:45vh;overflow:auto;z-index:99999;" +
        "background:#fff;color:#0b0c0c;border-top:6px solid #d4351c;font:16px/1.4 system-ui,sans-serif;padding:12px 16px;box-shadow:0 -2px 8px rgba(0,0,0,.3);" +
        // Long file names break anywhere rather than widen a phone's screen.
        "overflow-wrap:anywhere";
      document.body.appendChild(box);
    }
    box.setAttribute("role", failed ? "alert" : "status");
    box.style.borderTopColor = failed || errors.length ? "#d4351c" : "#f47738";
    box.replaceChildren();
    const title = document.createElement("strong");
    const count = (n, one) => `${n} ${one}${n === 1 ? "" : "s"}`;
    const warnings = problems.filter(p => p.severity !== "error").length;
    title.textContent = failed
      ? `The last change could not be built (${count(errors.length, "error")}` +
        (warnings ? ` and ${count(warnings, "warning")}` : "") +
        `, listed below); you are seeing the last good version.`
      : `${count(problems.length, "problem")} found by check`;
    box.appendChild(title);
    const close = document.createElement("button");
    close.textContent = "Hide";
    close.style.cssText = "float:right";
    close.onclick = () => box.remove();
    box.appendChild(close);
    const list = document.createElement("ul");
    for (const p of errors.concat(problems.filter(p => p.severity !== "error")).slice(0, 50)) {
      const item = document.createElement("li");
      item.className = "manual-serve-problem";
      const where = p.line ? `${p.file}:${p.line}:${p.column}` : p.file;
      item.textContent = `${where}: ${p.severity}[${p.code}]: ${p.message}` + (p.help ? ` (${p.help})` : "");
      list.appendChild(item);
    }
    box.appendChild(list);
  }
  function refreshStyles() {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      url.searchParams.set("v", String(Date.now()));
      link.href = url.toString();
    }
  }
  const events = new EventSource("/__manual/events");
  events.addEventListener("state", (e) => {
    const state = JSON.parse(e.data);
    // The build number changes exactly when the files served change.
    if (state.build !== build) {
      if (state.css_only) { build = state.build; refreshStyles(); }
      else { location.reload(); return; }
    }
    overlay(state.failed, state.problems);
  });
})();
