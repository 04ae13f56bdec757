/* The street's search page: one index over every community's pages
   (generator/street/search_index.py, which says why it is ours and how it is laid out).
   A query fetches the index's meta.json, one shard per word, the page lists of the
   communities holding the first ten results, and those ten pages' Pagefind fragments
   (address, title, text) for their titles and excerpts. The communities and their
   addresses come from the page's list of links (its no-JavaScript fallback). */
/* The index's rules, as generator/street/search_index.py has them (tests compare the two). */
var streetSearchIndex = (function () {
  "use strict";
  var HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
  var IS_HAN = new RegExp("[" + HAN + "]");
  /* as search_index._WORDS: a run of Chinese characters, or a word of other letters and digits */
  var WORDS = new RegExp("[" + HAN + "]+|(?:(?![" + HAN + "])[\\p{L}\\p{N}])+", "gu");
  /* as search_index.terms (a query's): Chinese as pairs of characters (one alone as itself), other words without a plural s */
  function terms(text) {
    var found = [];
    var words = text.replace(/\u200b/g, "").normalize("NFKC").toLowerCase().match(WORDS) || [];
    words.forEach(function (w) {
      var chars = Array.from(w);
      if (IS_HAN.test(chars[0])) {
        if (chars.length === 1) found.push(w);
        for (var i = 0; i + 1 < chars.length; i++) found.push(chars[i] + chars[i + 1]);
      } else if (chars.length > 3 && /s$/.test(w) && !/ss$/.test(w)) {
        found.push(w.slice(0, -1));
      } else {
        found.push(w);
      }
    });
    return found.filter(function (t, i) { return found.indexOf(t) === i; });
  }
  /* as search_index.shard_of: FNV-1a over the code points */
  function shardOf(term, shards) {
    var h = 0x811c9dc5;
    for (var ch of term) { h = Math.imul(h ^ ch.codePointAt(0), 0x01000193) >>> 0; }
    return h % shards;
  }
  /* The pages holding every term, best first: BM25, each posting's term-frequency part
     (0-99) weighted by the term's rarity over the whole street. */
  function rank(meta, shards, words) {
    var total = meta.pages;
    var scores = null;
    words.forEach(function (term, w) {
      var per = shards[w];
      var mine = {};
      var df = 0;
      meta.communities.forEach(function (cid, c) {
        var postings = (per[c] || {})[term];
        if (!postings) return;
        for (var i = 0, doc = 0; i < postings.length; i += 2) {
          doc += postings[i];
          mine[c + ":" + doc] = postings[i + 1] / 99;
          df++;
        }
      });
      var idf = Math.log(1 + (total - df + 0.5) / (df + 0.5));
      var next = {};
      Object.keys(mine).forEach(function (key) {
        if (scores === null || key in scores) next[key] = (scores ? scores[key] : 0) + idf * mine[key] * (1.2 + 1)  /* k1 = 1.2 */;
      });
      scores = next;
    });
    return Object.keys(scores || {}).map(function (key) {
      var at = key.indexOf(":");
      return { c: +key.slice(0, at), doc: +key.slice(at + 1), score: scores[key] };
    }).sort(function (a, b) { return b.score - a.score || a.c - b.c || a.doc - b.doc; });
  }

  /* as search_index.shard_file: single Chinese characters apart */
  function shardFile(term, shards) {
    return (Array.from(term).length === 1 && IS_HAN.test(term) ? "u/" : "s/") + shardOf(term, shards);
  }
  return { IS_HAN: IS_HAN, WORDS: WORDS, terms: terms, shardOf: shardOf, shardFile: shardFile, rank: rank };
})();

(function () {
  "use strict";
  var box = document.querySelector(".street-search");
  if (!box) return;
  var form = box.querySelector("form");
  var input = form.querySelector("input[name=q]");
  var status = box.querySelector(".search-status");
  var list = box.querySelector(".search-results");
  var SHOWN = 10;
  var IS_HAN = streetSearchIndex.IS_HAN;
  var WORDS = streetSearchIndex.WORDS;
  var terms = streetSearchIndex.terms;
  var shardFile = streetSearchIndex.shardFile;
  var rank = streetSearchIndex.rank;
  var latest = 0;
  var fetched = {};
  var communities = {};
  Array.prototype.forEach.call(box.querySelectorAll(".street-search-communities a"), function (a) {
    communities[a.getAttribute("data-id")] = {
      name: a.textContent.trim(), root: a.getAttribute("data-root"), rootZh: a.getAttribute("data-root-zh")
    };
  });

  function json(url) {
    if (!fetched[url]) {
      fetched[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error(url + ": " + r.status);
        return r.json();
      });
    }
    return fetched[url];
  }
  /* A Pagefind fragment: gzip of "pagefind_dcd" and the page's JSON. */
  function fragment(url) {
    if (!fetched[url]) {
      fetched[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error(url + ": " + r.status);
        return new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).text();
      }).then(function (text) { return JSON.parse(text.slice(text.indexOf("{"))); });
    }
    return fetched[url];
  }

  /* Up to ~120 characters of the page's text around the first word of the query found in it. */
  function excerpt(text, query) {
    text = text.replace(/\u200b/g, "");
    var words = (query.match(WORDS) || []).sort(function (a, b) { return b.length - a.length; });
    var lower = text.toLowerCase();
    var at = -1;
    words.some(function (w) { at = lower.indexOf(w.toLowerCase()); return at >= 0; });
    var start = Math.max(0, at - 40);
    var cut = text.slice(start, start + 120);
    return { text: (start > 0 ? "…" : "") + cut + (start + 120 < text.length ? "…" : ""), words: words };
  }
  /* The excerpt as text nodes, the query's words in <mark> (never parsed as HTML). */
  function marked(parent, found) {
    var text = found.text;
    var lower = text.toLowerCase();
    var i = 0;
    while (i < text.length) {
      var hit = -1, len = 0;
      found.words.forEach(function (w) {
        var j = lower.indexOf(w.toLowerCase(), i);
        if (j >= 0 && (hit < 0 || j < hit)) { hit = j; len = w.length; }
      });
      if (hit < 0) { parent.appendChild(document.createTextNode(text.slice(i))); break; }
      if (hit > i) parent.appendChild(document.createTextNode(text.slice(i, hit)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(hit, hit + len);
      parent.appendChild(mark);
      i = hit + len;
    }
  }
  function say(key, n) { status.textContent = (status.getAttribute("data-" + key) || "").replace("{n}", n); }
  function show(results, query) {
    list.textContent = "";
    results.forEach(function (r) {
      var li = document.createElement("li");
      var tag = document.createElement("span");
      tag.className = "street-search-community";
      tag.textContent = r.name;
      var a = document.createElement("a");
      a.href = r.url;
      a.textContent = r.title || r.url;
      var p = document.createElement("p");
      marked(p, excerpt(r.text, query));
      li.appendChild(tag);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(a);
      li.appendChild(p);
      list.appendChild(li);
    });
  }
  /* A result's page: the fragment's address under its community, in this page's language
     (a Chinese query on another language's page searches the Chinese pages). */
  function page(base, cid, name, chinese) {
    var c = communities[cid] || { name: cid, root: null, rootZh: null };
    var from = chinese ? c.rootZh : c.root;
    return fragment(from + "pagefind/fragment/" + name + ".pf_fragment").then(function (f) {
      var url = String(f.url || "/");
      if (url.charAt(0) !== "/" || url.charAt(1) === "/") url = "/";  /* an address inside the community only */
      return { name: c.name, url: (c.root || from) + url.slice(1), title: f.meta && f.meta.title, text: String(f.content || "") };
    });
  }
  function run(query) {
    var mine = ++latest;
    query = query.trim();
    var words = terms(query);
    if (!words.length) { list.textContent = ""; status.textContent = ""; return; }
    say("wait", 0);
    var chinese = IS_HAN.test(query) && box.getAttribute("data-index-zh");
    var base = new URL(box.getAttribute(chinese ? "data-index-zh" : "data-index"), location.href).href;
    json(base + "meta.json").then(function (meta) {
      return Promise.all(words.map(function (t) { return json(base + shardFile(t, meta.shards) + ".json"); }))
        .then(function (shards) {
          var ranked = rank(meta, shards, words);
          var first = ranked.slice(0, SHOWN);
          return Promise.all(first.map(function (r) {
            var cid = meta.communities[r.c];
            return json(base + "d/" + cid + ".json").then(function (docs) { return page(base, cid, docs[r.doc], chinese); });
          })).then(function (results) {
            if (mine !== latest) return;
            show(results, query);
            say(ranked.length ? "some" : "none", ranked.length);
          });
        });
    }).catch(function () { if (mine === latest) say("fail", 0); });
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
