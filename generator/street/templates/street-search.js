/* The street's search page: every community's own Pagefind index searched at once.
   The first community's pagefind.js is the primary; the others' indexes are merged
   into it (Pagefind multisite, mergeIndex: https://pagefind.app/docs/multisite/), so
   the WebAssembly is fetched once and each index gives only the fragments of the word
   searched. Each result is labelled with the community whose address it is under.
   The communities come from the page's list of links (its no-JavaScript fallback). */
(function () {
  "use strict";
  var box = document.querySelector(".street-search");
  if (!box) return;
  var form = box.querySelector("form");
  var input = form.querySelector("input[name=q]");
  var status = box.querySelector(".search-status");
  var list = box.querySelector(".search-results");
  var HAN = /[\u3400-\u9fff]/;
  var bundles = {};
  var latest = 0;
  var communities = Array.prototype.map.call(box.querySelectorAll(".street-search-communities a"), function (a) {
    return { name: a.textContent.trim(), index: a.getAttribute("data-index"), root: a.getAttribute("data-root"),
             indexZh: a.getAttribute("data-index-zh"), rootZh: a.getAttribute("data-root-zh") };
  });

  function path(url) { return new URL(url, location.href).pathname; }
  /* key "index": this language's indexes; "indexZh": the Chinese ones, for a Chinese
     query on another language's page (its index does not segment Chinese). */
  function load(key) {
    if (!bundles[key]) {
      var mine = communities.filter(function (c) { return c[key]; });
      if (!mine.length) return Promise.reject(new Error("no index"));
      bundles[key] = import(new URL(mine[0][key] + "pagefind.js", location.href).href).then(function (pf) {
        return Promise.resolve(pf.options({ excerptLength: 24 })).then(function () {
          return Promise.all(mine.slice(1).map(function (c) { return pf.mergeIndex(path(c[key])); }));
        }).then(function () { return pf; });
      });
    }
    return bundles[key];
  }
  /* The community a result belongs to, by the longest root its address starts with;
     a Chinese result shown on another language's page goes to that language's page. */
  function place(url, chinese) {
    var found = null;
    communities.forEach(function (c) {
      var given = chinese ? c.rootZh : c.root;
      var root = given && path(given);
      if (root && url.indexOf(root) === 0 && (!found || root.length > found.root.length)) found = { c: c, root: root };
    });
    if (!found) return { name: "", url: url };
    var target = chinese && found.c.root ? path(found.c.root) + url.slice(found.root.length) : url;
    return { name: found.c.name, url: target };
  }
  /* Pagefind's excerpts are text with <mark> around the hits: keep only those tags. */
  function safeExcerpt(html) { return html.replace(/<(?!\/?mark>)/g, "&lt;"); }
  function say(key, n) { status.textContent = (status.getAttribute("data-" + key) || "").replace("{n}", n); }
  function show(results, chinese) {
    list.textContent = "";
    results.forEach(function (d) {
      var where = place(d.url, chinese);
      var li = document.createElement("li");
      var tag = document.createElement("span");
      tag.className = "street-search-community";
      tag.textContent = where.name;
      var a = document.createElement("a");
      a.href = where.url;
      a.textContent = (d.meta && d.meta.title) || where.url;
      var p = document.createElement("p");
      p.innerHTML = safeExcerpt(d.excerpt || "");
      li.appendChild(tag);
      li.appendChild(document.createTextNode(" "));
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
    var chinese = HAN.test(query) && communities.some(function (c) { return c.indexZh; });
    load(chinese ? "indexZh" : "index").then(function (pf) { return pf.search(query); }).then(function (search) {
      if (mine !== latest) return null;
      var first = search.results.slice(0, 10);  /* only these pages' snippets are fetched */
      return Promise.all(first.map(function (r) { return r.data(); })).then(function (data) {
        if (mine !== latest) return;
        show(data, chinese);
        say(search.results.length ? "some" : "none", search.results.length);
      });
    }).catch(function () { say("fail", 0); });
  }

  form.addEventListener("submit", function (event) {
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
