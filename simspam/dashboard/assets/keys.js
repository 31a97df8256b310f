/* Keyboard shortcuts for presenting: arrows / n / p step through the prepared scenarios,
   t toggles presentation mode.  Keys typed into a field, or arrows on a focused slider,
   are left alone so the controls still work from the keyboard. */
document.addEventListener("keydown", function (e) {
  if (e.ctrlKey || e.metaKey || e.altKey) { return; }
  var t = e.target;
  var tag = t && t.tagName ? t.tagName.toUpperCase() : "";
  if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) { return; }
  if (t && t.getAttribute && t.getAttribute("role") === "slider") { return; }
  var id = null;
  if (e.key === "ArrowRight" || e.key === "n" || e.key === "PageDown") { id = "next-prepared"; }
  else if (e.key === "ArrowLeft" || e.key === "p" || e.key === "PageUp") { id = "prev-prepared"; }
  if (id) {
    var b = document.getElementById(id);
    if (b) { e.preventDefault(); b.click(); }
    return;
  }
  if (e.key === "t") {
    var box = document.querySelector("#present input[type=checkbox]");
    if (box) { box.click(); }
  }
});
