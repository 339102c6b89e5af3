// A "Copy" button on every code block. It copies the code only: from a
// `console` or `shell-session` block, the commands without their `$ ` or
// `# ` prompts and without the output shown after them. Screen readers hear
// "Copied" through a live region. Without script the blocks are as they
// were; nothing is requested from anywhere.
(function () {
  "use strict";
  var blocks = document.querySelectorAll("main pre > code");
  if (!blocks.length) return;

  var status = document.createElement("div");
  status.className = "govuk-visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  document.body.appendChild(status);

  var PROMPT = /^\s*[$#] /;

  function textOf(code) {
    var text = code.textContent.replace(/\n$/, "");
    var language = (/(?:^|\s)language-([\w-]+)/.exec(code.className) || [])[1] || "";
    if (/^(console|shell-session|terminal)$/i.test(language)) {
      var commands = text.split("\n").filter(function (line) { return PROMPT.test(line); });
      if (commands.length) {
        return commands.map(function (line) { return line.replace(PROMPT, ""); }).join("\n");
      }
    }
    return text;
  }

  // The clipboard API needs a secure page (https, or localhost); a copy
  // opened from disk falls back to the older way.
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var done = false;
      try { done = document.execCommand("copy"); } catch (e) { done = false; }
      document.body.removeChild(area);
      if (done) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  Array.prototype.forEach.call(blocks, function (code, number) {
    var pre = code.parentNode;
    var figure = pre.parentNode.classList && pre.parentNode.classList.contains("code-block") ? pre.parentNode : null;
    var caption = figure && figure.querySelector("figcaption");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy " + (caption ? caption.textContent : "code block " + (number + 1)));
    var timer = null;
    button.addEventListener("click", function () {
      copy(textOf(code)).then(function () {
        button.textContent = "Copied";
        status.textContent = "Copied";
      }, function () {
        button.textContent = "Copy failed";
        status.textContent = "Could not copy: select the code and copy it yourself";
      });
      clearTimeout(timer);
      timer = setTimeout(function () {
        button.textContent = "Copy";
        status.textContent = "";
      }, 3000);
    });
    var bar = document.createElement("div");
    bar.className = "copy-bar";
    bar.appendChild(button);
    // Above the block's title when it has one, so the title sits on the code.
    var above = figure || pre;
    above.parentNode.insertBefore(bar, above);
  });
})();
