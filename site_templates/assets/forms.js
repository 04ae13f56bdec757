// Progressive enhancement of the portal's forms. Without this script the form
// is a plain HTML POST and the endpoint answers with a page. With it: a fresh
// anti-spam token and an idempotency key are fetched/made at load, fields are
// checked inline with the same rules (HTML constraint attributes come from the
// compiled spec), and the form is sent with fetch; the receipt is shown in place.
(function () {
  "use strict";
  var wraps = document.querySelectorAll(".form-wrap[data-endpoint]");
  Array.prototype.forEach.call(wraps, function (wrap) {
    var form = wrap.querySelector("form.portal-form");
    var result = wrap.querySelector(".form-result");
    if (!form || !window.fetch) return;
    var endpoint = wrap.getAttribute("data-endpoint");
    var lang = wrap.getAttribute("data-lang") || "zh";
    var id = form.getAttribute("data-form");
    var zh = lang !== "en";
    var idem = form.querySelector("input[name=_idem]");
    if (idem && !idem.value) {
      idem.value = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() :
        String(Date.now()) + Math.random().toString(36).slice(2);
    }
    var powDone = Promise.resolve();
    function takeToken(data) {
      if (!data || !data.token) return;
      form.querySelector("input[name=_token]").value = data.token;
      if (data.pow_bits > 0) powDone = solve(data.token, data.pow_bits);
    }
    // Proof of work, when the endpoint asks for it: find a nonce such that
    // sha256(token + nonce) starts with `bits` zero bits (endpoint/abuse.py).
    function solve(token, bits) {
      var enc = new TextEncoder();
      var field = form.querySelector("input[name=_pow]");
      if (!field) {
        field = document.createElement("input");
        field.type = "hidden"; field.name = "_pow";
        form.appendChild(field);
      }
      function zeroBits(buf) {
        var bytes = new Uint8Array(buf), n = 0;
        for (var i = 0; i < bytes.length; i++) {
          if (bytes[i] === 0) { n += 8; continue; }
          for (var b = 7; b >= 0 && !(bytes[i] & (1 << b)); b--) n++;
          break;
        }
        return n;
      }
      function attempt(nonce) {
        return crypto.subtle.digest("SHA-256", enc.encode(token + nonce)).then(function (buf) {
          if (zeroBits(buf) >= bits) { field.value = String(nonce); return; }
          return attempt(nonce + 1);
        });
      }
      return attempt(0);
    }
    fetch(endpoint + "/forms/" + encodeURIComponent(id) + "/token", {headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(takeToken)
      .catch(function () { /* endpoint unreachable: the plain POST still works or shows why */ });

    function fieldBox(name) {
      var el = form.querySelector("[name='" + name + "']");
      return el ? el.closest(".field") : null;
    }
    function setError(name, message) {
      var box = fieldBox(name);
      if (!box) return;
      var old = box.querySelector(".error");
      if (old) old.remove();
      box.classList.toggle("has-error", !!message);
      var input = box.querySelector("input, textarea, select");
      if (!message) { if (input) input.removeAttribute("aria-invalid"); return; }
      var p = document.createElement("p");
      p.className = "error";
      p.id = "f-" + id + "-" + name + "-error";
      p.textContent = message;
      box.appendChild(p);
      if (input) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", p.id);
      }
    }
    function localCheck() {
      var first = null;
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.name.charAt(0) === "_" || el.name === "website" || !el.willValidate) return;
        if (el.type === "radio" || el.type === "checkbox") return;
        if (!el.checkValidity()) {
          setError(el.name, el.validationMessage);
          first = first || el;
        } else {
          setError(el.name, "");
        }
      });
      return first;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var bad = localCheck();
      if (bad) { bad.focus(); return; }
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      powDone.then(function () {
        return fetch(form.action, {method: "POST", body: new URLSearchParams(new FormData(form)),
          headers: {Accept: "application/json", "Accept-Language": lang}});
      })
        .then(function (r) { return r.json().then(function (body) { return {status: r.status, body: body}; }); })
        .then(function (res) {
          button.disabled = false;
          if (res.status === 201 || res.status === 200) {
            form.hidden = true;
            result.hidden = false;
            result.innerHTML = "";
            var h = document.createElement("p");
            h.textContent = zh ? "已收到，谢谢！您的回执号：" : "Received, thank you! Your receipt number:";
            var r = document.createElement("p");
            r.className = "receipt";
            r.textContent = res.body.receipt;
            var a = document.createElement("a");
            a.href = endpoint + "/receipts/" + res.body.receipt + "?lang=" + lang;
            a.textContent = zh ? "查看办理进度" : "Follow its progress";
            result.appendChild(h); result.appendChild(r); result.appendChild(a);
            result.focus && result.setAttribute("tabindex", "-1");
            result.focus && result.focus();
          } else if (res.status === 422 && res.body.fields) {
            Object.keys(res.body.fields).forEach(function (name) { setError(name, res.body.fields[name]); });
            var firstBad = form.querySelector("[aria-invalid=true]");
            if (firstBad) firstBad.focus();
          } else if (res.body && res.body.error === "token") {
            // Too fast or expired: take a fresh token and let the person press again.
            return fetch(endpoint + "/forms/" + encodeURIComponent(id) + "/token").then(function (r) { return r.json(); })
              .then(function (data) {
                takeToken(data);
                alert(res.body.message);
              });
          } else {
            alert((res.body && res.body.message) || (zh ? "提交失败，请稍后再试。" : "Sending failed; please try again."));
          }
        })
        .catch(function () {
          button.disabled = false;
          form.submit();  // network trouble with fetch: fall back to the plain POST
        });
    });
  });
})();
