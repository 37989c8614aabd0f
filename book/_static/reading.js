/* The book reads at every width (see reading.css; tests/test_browser.py checks both behaviours).
 *
 * 1. A figure displayed smaller than it was drawn (on a phone, a third to a half of its size) opens at full size
 *    in an overlay on a tap, a click or Enter; the overlay scrolls and pinch-zooms, and a tap, Escape or its
 *    close button closes it. Everything is local: no library, no network.
 * 2. A formula wider than its box scrolls inside the box (a display equation's box, div.math mjx-container, or
 *    an inline formula's, span.math); its data-more attribute ("right", "left" or both) says on which side there
 *    is more to see, and reading.css draws a shadow there (and lets span.math scroll).
 */
(function () {
  "use strict";
  var FIGURES = ".cell_output img, .rnnlab-explorer img", FORMULAS = "div.math mjx-container, span.math";

  function shrunk(img) {
    return img.complete && img.naturalWidth > 0 && img.clientWidth > 0 && img.naturalWidth > img.clientWidth * 1.1;
  }

  function markFigure(img) {
    var zoomable = shrunk(img);
    img.classList.toggle("rnnlab-zoomable", zoomable);
    if (zoomable) {
      img.tabIndex = 0;
      img.setAttribute("role", "button");
      img.title = "Show this figure at full size";
    } else if (img.getAttribute("role") === "button") {
      img.removeAttribute("tabindex");
      img.removeAttribute("role");
      img.removeAttribute("title");
    }
  }

  function openFigure(img) {
    var overlay = document.createElement("div"), big = document.createElement("img");
    var close = document.createElement("button"), opener = document.activeElement;
    overlay.className = "rnnlab-zoom";
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-label", "the figure at full size");
    big.src = img.currentSrc || img.src;
    big.alt = img.alt;
    close.type = "button";
    close.textContent = "\u00d7";
    close.setAttribute("aria-label", "Close");
    overlay.append(close, big);
    function dismiss() {
      overlay.remove();
      document.removeEventListener("keydown", onKey);
      if (opener && opener.focus) opener.focus();
    }
    function onKey(event) {
      if (event.key === "Escape") dismiss();
    }
    overlay.addEventListener("click", dismiss);
    document.addEventListener("keydown", onKey);
    document.body.appendChild(overlay);
    close.focus();
  }

  function markFormula(box) {
    // the formula's own width: the box's scrollWidth also counts MathJax's hidden text for screen readers
    var math = box.querySelector("mjx-math"), more = [];
    if (!math) return;
    if (box.scrollLeft > 1) more.push("left");
    if (box.scrollLeft + box.clientWidth < math.getBoundingClientRect().width - 1) more.push("right");
    if (more.length) box.setAttribute("data-more", more.join(" "));
    else box.removeAttribute("data-more");
  }

  function markAll() {
    document.querySelectorAll(FIGURES).forEach(markFigure);
    document.querySelectorAll(FORMULAS).forEach(markFormula);
  }

  document.addEventListener("click", function (event) {
    var img = event.target.closest && event.target.closest(FIGURES);
    if (img && img.classList.contains("rnnlab-zoomable")) {
      event.preventDefault();
      openFigure(img);
    }
  });
  document.addEventListener("keydown", function (event) {
    var img = event.target;
    if ((event.key === "Enter" || event.key === " ") && img.classList && img.classList.contains("rnnlab-zoomable")) {
      event.preventDefault();
      openFigure(img);
    }
  });
  // figures decode, and explorers swap frames, after the page has loaded: "load" does not bubble, so capture it
  document.addEventListener("load", function (event) {
    if (event.target.matches && event.target.matches(FIGURES)) markFigure(event.target);
  }, true);
  document.addEventListener("scroll", function (event) {
    if (event.target.matches && event.target.matches(FORMULAS)) markFormula(event.target);
  }, true);
  var pending = false;
  window.addEventListener("resize", function () {
    if (!pending) {
      pending = true;
      requestAnimationFrame(function () { pending = false; markAll(); });
    }
  });
  window.addEventListener("load", function () {
    markAll();
    // MathJax typesets after "load"; mark the formulas once it is done
    var mathjax = window.MathJax;
    if (mathjax && mathjax.startup && mathjax.startup.promise) mathjax.startup.promise.then(markAll);
  });
})();
