/* Elder mode (适老化) and read-aloud. Loaded synchronously in <head>: the first
   part runs before the page is drawn, so a remembered large-print setting
   never flashes the small layout; the rest waits for the page.

   - The setting is kept in localStorage ("portal.elder"), shared by every page
     and language of the site, so it holds across pages and visits.
   - Without JavaScript the header link "#elder" still gives the large print of
     the page in view (CSS :target); with JavaScript that link turns the
     setting on, and the :target anchor is removed so only the setting counts.
   - Read-aloud uses the browser's own speechSynthesis with a voice installed on
     the device (localService): no text is sent anywhere. */
(function () {
  "use strict";
  var KEY = "portal.elder";
  var root = document.documentElement;

  function stored() {
    try { return localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }
  function store(on) {
    try { localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode: this page only */ }
  }
  function apply(on) {
    root.classList.toggle("elder", on);
  }

  var fromLink = location.hash === "#elder";
  if (fromLink) store(true);
  apply(fromLink || stored());

  /* -- read aloud ------------------------------------------------------------ */
  var synth = window.speechSynthesis;
  var speaking = false;

  function pageLang() {
    return (root.getAttribute("lang") || "zh").toLowerCase().indexOf("zh") === 0 ? "zh-CN" : "en";
  }
  function localVoice(lang) {
    var voices = synth ? synth.getVoices() : [];
    var base = lang.slice(0, 2);
    var fit = voices.filter(function (v) { return v.localService && v.lang.toLowerCase().indexOf(base) === 0; });
    var exact = fit.filter(function (v) { return v.lang.replace("_", "-").toLowerCase() === lang.toLowerCase(); });
    return exact[0] || fit[0] || null;
  }
  function mainText() {
    var article = document.querySelector("article");
    if (!article) return "";
    /* innerText follows the CSS: hidden parts (print-only QR block) are left out */
    return article.innerText.replace(/[¶\u200b]/g, "");
  }
  function chunks(text) {
    /* Chrome stops an utterance after about 15 s: speak sentence by sentence */
    return text.replace(/([。！？；.!?;])\s*/g, "$1\n").split(/\n+/)
      .map(function (s) { return s.trim(); }).filter(Boolean);
  }
  function stop(button) {
    if (synth) synth.cancel();
    speaking = false;
    button.textContent = button.getAttribute("data-label");
    button.setAttribute("aria-pressed", "false");
  }
  function read(button) {
    var voice = localVoice(pageLang());
    if (!voice) return;
    speaking = true;
    button.textContent = button.getAttribute("data-stop");
    button.setAttribute("aria-pressed", "true");
    var parts = chunks(mainText());
    parts.forEach(function (part, i) {
      var u = new SpeechSynthesisUtterance(part);
      u.lang = voice.lang;
      u.voice = voice;
      u.rate = 0.9;  /* a little slower than the default, for older listeners */
      if (i === parts.length - 1) u.onend = function () { stop(button); };
      synth.speak(u);
    });
  }

  /* Wide tables scroll sideways (more often in large print): a scrolling
     region must be reachable by keyboard (WCAG 2.1.1), so it gets a tab stop. */
  function focusableScrolls() {
    var regions = document.querySelectorAll(".md-typeset__scrollwrap, .md-typeset table:not([class])");
    Array.prototype.forEach.call(regions, function (el) {
      if (el.scrollWidth > el.clientWidth + 1) {
        el.setAttribute("tabindex", "0");
      } else if (el.getAttribute("tabindex") === "0") {
        el.removeAttribute("tabindex");
      }
    });
  }

  function init() {
    var anchor = document.getElementById("elder");
    if (anchor) anchor.removeAttribute("id");  /* from now on the stored setting decides */
    if (fromLink && history.replaceState) history.replaceState(null, "", location.pathname + location.search);
    var links = document.querySelectorAll("[data-elder]");
    Array.prototype.forEach.call(links, function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var on = link.getAttribute("data-elder") === "on";
        store(on);
        apply(on);
        focusableScrolls();
        var other = document.querySelector(on ? ".elder-exit" : ".elder-enter");
        if (other) other.focus();
      });
    });
    var button = document.querySelector(".read-aloud");
    if (button && synth && window.SpeechSynthesisUtterance) {
      button.setAttribute("data-label", button.textContent);
      button.setAttribute("aria-pressed", "false");
      /* shown only when the device has a voice for the page's language
         (voices may arrive after load: "voiceschanged") */
      var offer = function () { button.hidden = !localVoice(pageLang()); };
      offer();
      if (synth.addEventListener) synth.addEventListener("voiceschanged", offer);
      button.addEventListener("click", function () {
        if (speaking) stop(button); else read(button);
      });
      window.addEventListener("pagehide", function () { if (synth) synth.cancel(); });
    }
  }
  /* Offline reading (sw.js, next to this language's home page): pages already
     visited stay readable without network. Not on file:// (a copy on a USB stick). */
  var me = document.currentScript;
  if (me && "serviceWorker" in navigator && /^https?:$/.test(location.protocol)) {
    var worker = new URL("../sw.js", me.src);
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(worker.href).catch(function () { /* private mode, old browser: online only */ });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  window.addEventListener("load", focusableScrolls);
})();
