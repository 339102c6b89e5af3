// The site was built before this page's review date, but may be read after
// it: if the reader's date is past the due date, show the overdue note the
// build would have shown (the build's own wording, kept hidden until now).
(function () {
  "use strict";
  var note = document.querySelector(".review[data-review-due]");
  if (!note) return;
  var now = new Date();
  var pad = function (n) { return String(n).padStart(2, "0"); };
  var today = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  // ISO dates compare as strings; overdue means the due date has passed.
  if (today <= note.getAttribute("data-review-due")) return;
  note.classList.add("review--overdue");
  var status = note.querySelector(".review__status");
  if (status) status.hidden = false;
  var when = note.querySelector(".review__when");
  if (when) when.textContent = "was due";
})();
