// Receipt lookup on a static host: the receipt is turned into the same slow
// key `portal inbox publish` wrote (PBKDF2-SHA256, 100k rounds, salted with the
// community id) and looked up in requests/lookup.json. Not published yet, or no
// WebCrypto (plain http): the form falls back to the endpoint (its normal GET).
(function () {
  "use strict";
  var form = document.querySelector("form.receipt-lookup");
  if (!form || !window.crypto || !crypto.subtle || !window.fetch) return;
  var ALPHABET = "34679ACDEFGHJKMNPQRTWXY";
  function normalize(text) {
    var raw = text.toUpperCase().replace(/[^0-9A-Z]/g, "");
    if (raw.length !== 10) return null;
    for (var i = 0; i < raw.length; i++) if (ALPHABET.indexOf(raw[i]) < 0) return null;
    return raw.slice(0, 4) + "-" + raw.slice(4, 8) + "-" + raw.slice(8);
  }
  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  // Keys are written with letters (no digits, so never taken for a phone
  // number); keys published by the first release are hex: try both.
  var LETTERS = "ghjkmnpqrstvwxyz";
  function letters(hexKey) {
    return hexKey.replace(/[0-9a-f]/g, function (d) { return LETTERS[parseInt(d, 16)]; });
  }
  form.addEventListener("submit", function (event) {
    var input = form.querySelector("input[name=r]");
    var receipt = normalize(input.value);
    if (!receipt) return;  // let the endpoint say what is wrong
    event.preventDefault();
    var enc = new TextEncoder();
    crypto.subtle.importKey("raw", enc.encode(receipt), "PBKDF2", false, ["deriveBits"])
      .then(function (key) {
        return crypto.subtle.deriveBits({name: "PBKDF2", hash: "SHA-256", iterations: 100000,
          salt: enc.encode("portal-receipt:" + form.getAttribute("data-community"))}, key, 128);
      })
      .then(function (bits) {
        return fetch(form.getAttribute("data-index")).then(function (r) { return r.ok ? r.json() : {}; })
          .then(function (index) { var h = hex(bits); return index[letters(h)] || index[h]; });
      })
      .then(function (id) {
        if (id) {
          window.location.href = form.getAttribute("data-requests") + "#" + id.toLowerCase();
        } else {
          input.value = receipt;
          form.submit();
        }
      })
      .catch(function () { form.submit(); });
  });
})();
