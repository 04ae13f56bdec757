/* The portal's additions to Decap CMS (loaded before decap-cms.js; no inline
 * script, the site has a strict Content-Security-Policy).
 *
 * - "portal-text": any text of the data may be a plain string or a map of
 *   language to string ({zh: 通知, en: Notice}). The widget shows one input per
 *   site language and writes a plain string when only the default language is
 *   filled in, else a map; languages it does not show are kept as they were.
 * - "portal-text-list": a list of such texts.
 * - "portal-id": a record's id (= its file name), read-only once saved.
 * - preSave: drops empty values ("" and empty maps) so an optional field left
 *   blank is left out of the file instead of being written as '' (which
 *   `portal check` would reject, e.g. for a date).
 */
(function () {
  "use strict";
  window.CMS_MANUAL_INIT = true;

  var NAMES = { zh: "中文", en: "English" };
  var HTML_LANG = { zh: "zh-CN", en: "en" };

  // Immutable.js marks its collections with these keys (v3 and v4 alike).
  function isList(v) { return !!(v && v["@@__IMMUTABLE_LIST__@@"]); }
  function isMap(v) { return !!(v && v["@@__IMMUTABLE_MAP__@@"]); }

  /* The language parts of a text value, as a plain object. */
  function parts(value, defaultLang) {
    var out = {};
    if (value === null || value === undefined || value === "") return out;
    if (typeof value === "string") { out[defaultLang] = value; return out; }
    var plain = isMap(value) ? value.toJS() : value;
    if (typeof plain !== "object") { out[defaultLang] = String(plain); return out; }
    Object.keys(plain).forEach(function (k) { out[k] = plain[k] == null ? "" : String(plain[k]); });
    return out;
  }

  /* A plain string if only the default language has text, else a map (the
   * default language first), built from `empty` (an empty Immutable Map). */
  function compose(p, langs, empty) {
    var keys = langs.concat(Object.keys(p).filter(function (k) { return langs.indexOf(k) < 0; }))
      .filter(function (k) { return p[k] !== undefined && p[k] !== ""; });
    if (keys.length === 0) return "";
    if (keys.length === 1 && keys[0] === langs[0]) return p[keys[0]];
    return keys.reduce(function (m, k) { return m.set(k, p[k]); }, empty);
  }

  function languages(field, p) {
    var configured = field.get("languages");
    var langs = configured && configured.toJS ? configured.toJS() : ["zh", "en"];
    Object.keys(p).forEach(function (k) { if (langs.indexOf(k) < 0) langs.push(k); });
    return langs;
  }

  function registerAll(CMS, h, createClass) {
    var TextControl = createClass({
      change: function (lang, event) {
        var field = this.props.field;
        var langs = languages(field, {});
        var p = parts(this.props.value, langs[0]);
        p[lang] = event.target.value;
        this.props.onChange(compose(p, langs, field.clear()));
      },
      render: function () {
        var self = this;
        var field = this.props.field;
        var multiline = !!field.get("multiline");
        var p = parts(this.props.value, languages(field, {})[0]);
        var langs = languages(field, p);
        return h("div", { className: "portal-text" }, langs.map(function (lang, i) {
          var inputId = i === 0 ? self.props.forID : self.props.forID + "-" + lang;
          return h("div", { key: lang, className: "portal-text-lang" },
            h("label", { htmlFor: inputId, className: "portal-text-label" }, NAMES[lang] || lang),
            h(multiline ? "textarea" : "input", {
              id: inputId,
              type: multiline ? undefined : "text",
              rows: multiline ? 8 : undefined,
              lang: HTML_LANG[lang] || lang,
              "data-lang": lang,
              className: self.props.classNameWrapper,
              value: p[lang] || "",
              onChange: function (event) { self.change(lang, event); },
              onFocus: self.props.setActiveStyle,
              onBlur: self.props.setInactiveStyle
            }));
        }));
      }
    });
    var TextPreview = createClass({
      render: function () {
        var p = parts(this.props.value, "zh");
        return h("div", null, Object.keys(p).map(function (k) { return h("p", { key: k, lang: HTML_LANG[k] || k }, p[k]); }));
      }
    });
    CMS.registerWidget("portal-text", TextControl, TextPreview);

    /* A record's id is its file name: Decap would keep the old file name if it
     * were changed later, so it is editable only while the record is new. */
    var IdControl = createClass({
      render: function () {
        var self = this;
        var isNew = !!(this.props.entry && this.props.entry.get("newRecord"));
        return h("input", {
          id: this.props.forID, type: "text", className: this.props.classNameWrapper,
          value: this.props.value || "", readOnly: !isNew, "aria-readonly": !isNew,
          onChange: function (event) { self.props.onChange(event.target.value); },
          onFocus: this.props.setActiveStyle, onBlur: this.props.setInactiveStyle
        });
      }
    });
    CMS.registerWidget("portal-id", IdControl);

    /* A list of texts (e.g. documents to bring). Decap's own list widget hands a
     * single-field item that is a map to its object control, which then looks
     * for a key named after the field and finds nothing: so lists of texts get
     * their own small widget. */
    var TextListControl = createClass({
      items: function () {
        var v = this.props.value;
        if (isList(v)) return v.toArray();
        return Array.isArray(v) ? v.slice() : [];
      },
      emit: function (items) {
        var empty = this.props.field.get("languages").clear(); // an empty Immutable List
        this.props.onChange(items.reduce(function (l, x) { return l.push(x); }, empty));
      },
      change: function (index, lang, event) {
        var field = this.props.field;
        var langs = languages(field, {});
        var items = this.items();
        var p = parts(items[index], langs[0]);
        p[lang] = event.target.value;
        items[index] = compose(p, langs, field.clear());
        this.emit(items);
      },
      add: function () { this.emit(this.items().concat([""])); },
      remove: function (index) { var items = this.items(); items.splice(index, 1); this.emit(items); },
      render: function () {
        var self = this;
        var field = this.props.field;
        var defaultLang = languages(field, {})[0];
        var items = this.items();
        return h("div", { className: "portal-text-list", id: this.props.forID }, items.map(function (item, index) {
          var p = parts(item, defaultLang);
          return h("fieldset", { key: index, className: "portal-text-item" },
            h("legend", null, String(index + 1)),
            languages(field, p).map(function (lang) {
              var inputId = self.props.forID + "-" + index + "-" + lang;
              return h("div", { key: lang, className: "portal-text-lang" },
                h("label", { htmlFor: inputId, className: "portal-text-label" }, NAMES[lang] || lang),
                h("input", {
                  id: inputId, type: "text", lang: HTML_LANG[lang] || lang, "data-lang": lang,
                  className: self.props.classNameWrapper, value: p[lang] || "",
                  onChange: function (event) { self.change(index, lang, event); }
                }));
            }),
            h("button", { type: "button", className: "portal-text-remove", onClick: function () { self.remove(index); } },
              "删除 · Remove"));
        }).concat([h("button", { key: "add", type: "button", className: "portal-text-add", onClick: self.add },
          "＋ 添加 · Add")]));
      }
    });
    CMS.registerWidget("portal-text-list", TextListControl);

    function clean(v) {
      if (v === null || v === undefined || v === "") return undefined;
      if (isList(v)) return v.map(clean).filter(function (x) { return x !== undefined; });
      if (isMap(v)) {
        var m = v.map(clean).filter(function (x) { return x !== undefined; });
        return m.size ? m : undefined;
      }
      return v;
    }
    CMS.registerEventListener({
      name: "preSave",
      handler: function (ctx) {
        var data = ctx.entry.get("data");
        return clean(data) || data.clear();
      }
    });
  }

  window.addEventListener("DOMContentLoaded", function () {
    if (!window.CMS) return; // decap-cms.js did not load: index.html says why
    registerAll(window.CMS, window.h, window.createClass);
    window.CMS.init();
  });
})();
