/* Offline reading: pages and files of this site that were visited are kept in
   the browser, so a notice read once is still there without network (a lift
   lobby, a basement, a prepaid phone out of data).

   - Same origin and GET only: form posts, the form endpoint (ENDPOINT, filled in
     by portal build) and the editor under admin/ are never stored.
   - Network first: a page is fetched fresh whenever possible (a notice must
     show as soon as it is published); the stored copy is used only offline. */
"use strict";
var CACHE = "portal-v1";
var ENDPOINT = "__PORTAL_ENDPOINT__";
var SCOPE = new URL("./", self.location.href).pathname;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function storable(request) {
  if (request.method !== "GET") return false;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return false;
  if (ENDPOINT && request.url.indexOf(ENDPOINT) === 0) return false;
  if (url.pathname.indexOf(SCOPE + "admin/") === 0) return false;
  return true;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (!storable(request)) return;  /* the browser handles it as if there were no worker */
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && response.type === "basic") {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(request, copy); });
    }
    return response;
  }, function () {
    return caches.match(request).then(function (hit) {
      return hit || Response.error();
    });
  }));
});
