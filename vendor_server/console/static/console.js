// The console's only script: copy buttons (a remote-tool ID, a technician code), the log search and the
// queue's own refresh.
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
// The queue refreshes itself: every data-refresh seconds it fetches this same page (same filters) and swaps in
// the new rows, the count of those the page leaves out, and the time, but not while a filter field has the focus or the tab is hidden. The fetch says it is a
// refresh (X-Console-Refresh), so the server does not count it as the staff member at work: an open tab must
// not keep a session alive past its idle timeout. A signed-out answer reloads the page, which shows sign-in.
(function () {
  var table = document.getElementById("queue");
  var seconds = table ? parseInt(table.getAttribute("data-refresh"), 10) : 0;
  if (!(seconds > 0)) { return; }
  var busy = false;
  function refresh() {
    var focused = document.activeElement;
    if (busy || document.hidden || (focused && focused.closest("form.filters"))) { return; }
    busy = true;
    fetch(location.href, {headers: {"X-Console-Refresh": "1"}, credentials: "same-origin", cache: "no-store"})
      .then(function (response) {
        if (response.redirected) { location.reload(); return null; }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (text) {
        if (text === null) { return; }
        var fresh = new DOMParser().parseFromString(text, "text/html");
        ["#queue tbody", "#queue-more", "#queue-updated"].forEach(function (selector) {
          var shown = document.querySelector(selector), now = fresh.querySelector(selector);
          if (shown && now) { shown.replaceWith(now); }
        });
        document.getElementById("queue-updated").classList.remove("stale");
      })
      .catch(function () {  // server unreachable: keep the rows, grey the time, try again next round
        var stamp = document.getElementById("queue-updated");
        if (stamp) { stamp.classList.add("stale"); }
      })
      .finally(function () { busy = false; });
  }
  setInterval(refresh, seconds * 1000);
  document.addEventListener("visibilitychange", refresh);
})();
// A form is sent once: a second click (or Enter) while the first answer loads would send the shop the same
// message twice, or propose twice. The page the answer brings has fresh forms.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if ((form.getAttribute("method") || "get").toLowerCase() !== "post") { return; }
  if (form.hasAttribute("data-sent")) { event.preventDefault(); return; }
  form.setAttribute("data-sent", "1");
  form.querySelectorAll("button[type=submit]").forEach(function (button) { button.setAttribute("aria-busy", "true"); });
});
// Back from the browser's cache (the Back button), a form sent before can be sent again.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-sent]").forEach(function (form) { form.removeAttribute("data-sent"); });
});
// What staff write in a ticket's boxes is kept in this tab (sessionStorage) until the act is saved, so it survives
// a session that ended while they wrote (30 idle minutes on the phone: sign in again, the page comes back, and
// so does the text). A box the server filled (a refused form gives it back) keeps the server's text.
(function () {
  var boxes = document.querySelectorAll("form[method=post] textarea[name=text]");
  if (!boxes.length || !window.sessionStorage) { return; }
  var query = new URLSearchParams(location.search), done = query.get("done");
  boxes.forEach(function (box) {
    var action = box.form.getAttribute("action"), act = action.split("/").pop();
    var key = "draft:" + action;  // the same on the ticket's page and on the page a refused form showed
    // Saved: forget the draft, but only the text that was sent (a newer one typed since stays).
    if (done === act && sessionStorage.getItem(key) === sessionStorage.getItem("sent:" + action)) {
      sessionStorage.removeItem(key);
    }
    if (done === act) { sessionStorage.removeItem("sent:" + action); }
    var kept = sessionStorage.getItem(key);
    if (kept && !box.value) { box.value = kept; }
    box.addEventListener("input", function () {
      if (box.value) { sessionStorage.setItem(key, box.value); } else { sessionStorage.removeItem(key); }
    });
    box.form.addEventListener("submit", function () { sessionStorage.setItem("sent:" + action, box.value); });
  });
  // "done" has been read: off the address, so a reload (or signing in again to this page) does not read it twice.
  if (done !== null) {
    query.delete("done");
    var rest = query.toString();
    history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
  }
})();
