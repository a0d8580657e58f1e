// Typeset the math that tilbook marked at build time; loaded only on pages that have math.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.katex) return;
  document.querySelectorAll(".math").forEach(function (el) {
    var tex = el.textContent.replace(/^\\[\(\[]|\\[\)\]]$/g, "");
    try {
      katex.render(tex, el, { displayMode: el.classList.contains("block"), throwOnError: false });
    } catch (e) { /* leave the TeX source visible */ }
  });
});
