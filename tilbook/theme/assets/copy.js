// A copy button on each code block; loaded only on pages that have code.
(function () {
  var me = document.currentScript;
  var label = me.getAttribute("data-copy"), done = me.getAttribute("data-copied");

  function fallback(text) {  // http:// pages have no navigator.clipboard
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject();
  }

  document.querySelectorAll("pre > code").forEach(function (code) {
    var pre = code.parentNode;
    if (pre.classList.contains("nb-output") || pre.parentNode.classList.contains("code-wrap")) return;
    var wrap = document.createElement("div");
    wrap.className = "code-wrap";
    pre.parentNode.insertBefore(wrap, pre);
    wrap.appendChild(pre);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = label;
    wrap.appendChild(button);
    var timer = null;
    button.addEventListener("click", function () {
      var text = code.innerText.replace(/\n$/, "");
      var write = navigator.clipboard && window.isSecureContext
        ? navigator.clipboard.writeText(text).catch(function () { return fallback(text); })
        : fallback(text);
      write.then(function () {
        button.textContent = done;
        clearTimeout(timer);
        timer = setTimeout(function () { button.textContent = label; }, 1500);
      }, function () { /* nothing copied: the label stays */ });
    });
  });
})();
