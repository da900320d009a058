// The console's only script: copy buttons (a remote-tool ID, a technician code) and the log search.
// Served from /console/static, so the Content-Security-Policy can forbid inline scripts.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) { return; }
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (!source) { return; }
  var text = source.textContent.trim();
  var done = function () {
    var label = button.textContent;
    button.textContent = button.getAttribute("data-copied") || "✓";
    setTimeout(function () { button.textContent = label; }, 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done);
  } else {
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    document.execCommand("copy");
    done();
  }
});
// Log search on the ticket page: hide the lines that do not contain what is typed.
document.addEventListener("input", function (event) {
  var box = event.target.closest("[data-filter]");
  if (!box) { return; }
  var needle = box.value.toLowerCase();
  document.querySelectorAll("#" + box.getAttribute("data-filter") + " .line").forEach(function (line) {
    line.hidden = needle !== "" && line.textContent.toLowerCase().indexOf(needle) === -1;
  });
});
