/* The search page: Pagefind's script, index and WebAssembly are fetched when
   the resident searches (here only), never by other pages. The index holds
   the words of this language's pages; fragments come in per word searched. */
(function () {
  "use strict";
  var form = document.querySelector(".portal-search form");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var status = document.querySelector(".portal-search .search-status");
  var list = document.querySelector(".portal-search .search-results");
  var bundles = {};
  var latest = 0;
  var HAN = /[\u3400-\u9fff]/;

  function load(attr) {
    if (!bundles[attr]) {
      var url = new URL(form.getAttribute(attr), location.href).href;
      /* no pre-loading of result data: only what is shown is fetched. noWorker:
         Pagefind 1.6 otherwise fetches a second copy of its code for a web worker
         (pagefind-worker.js, 43 KB) on the first query; this index is small enough
         to search on the page (pagefind.app/docs/search-config/, "Disable web worker"). */
      bundles[attr] = import(url).then(function (pf) {
        return Promise.resolve(pf.options({ excerptLength: 24, noWorker: true })).then(function () { return pf; });
      });
    }
    return bundles[attr];
  }
  /* A Chinese query on a non-Chinese site: the Chinese index, and its results
     mapped to this site's pages (both languages have the same page paths). */
  function viaChinese(query) {
    return form.hasAttribute("data-pagefind-zh") && HAN.test(query);
  }
  function mapUrl(url) {
    var zhRoot = new URL("../../", location.href).pathname;
    var here = new URL("../", location.href).pathname;
    return url.indexOf(zhRoot) === 0 ? here + url.slice(zhRoot.length) : url;
  }
  /* Pagefind's excerpts are text with <mark> around the hits: keep only those tags. */
  function safeExcerpt(html) {
    return html.replace(/<(?!\/?mark>)/g, "&lt;");
  }
  function say(key, n) {
    status.textContent = (status.getAttribute("data-" + key) || "").replace("{n}", n);
  }
  function show(results) {
    list.textContent = "";
    results.forEach(function (d) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = d.url;
      a.textContent = (d.meta && d.meta.title) || d.url;
      var p = document.createElement("p");
      p.innerHTML = safeExcerpt(d.excerpt || "");
      li.appendChild(a);
      li.appendChild(p);
      list.appendChild(li);
    });
  }
  function run(query) {
    var mine = ++latest;
    query = query.trim();
    if (!query) { list.textContent = ""; status.textContent = ""; return; }
    say("wait", 0);
    var chinese = viaChinese(query);
    load(chinese ? "data-pagefind-zh" : "data-pagefind").then(function (pf) { return pf.search(query); }).then(function (search) {
      if (mine !== latest) return null;
      var first = search.results.slice(0, 10);  /* only these pages' snippets are fetched */
      return Promise.all(first.map(function (r) { return r.data(); })).then(function (data) {
        if (mine !== latest) return;
        if (chinese) data.forEach(function (d) { d.url = mapUrl(d.url); });
        show(data);
        say(search.results.length ? "some" : "none", search.results.length);
      });
    }).catch(function () { say("fail", 0); });
  }

  form.addEventListener("submit", function (event) {
    /* a button with its own formaction (a street's "search the whole street") goes there */
    if (event.submitter && event.submitter.hasAttribute("formaction")) return;
    event.preventDefault();
    var q = input.value;
    if (history.replaceState) history.replaceState(null, "", "?q=" + encodeURIComponent(q));
    run(q);
  });
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { run(input.value); }, 300);
  });
  var initial = new URLSearchParams(location.search).get("q");
  if (initial) { input.value = initial; run(initial); }
  else input.focus();
})();
