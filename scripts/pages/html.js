// Build-time HTML: every interpolated value is escaped unless it is already HTML made here.
//   html`<p>${text}</p>`      escapes text (& < > " ')
//   html`<ul>${items.map(...)}</ul>`   arrays are joined, each item escaped or kept if it is Html
//   fill(template, {title, body})      {{name}} is escaped, {{{name}}} must be Html
'use strict';

class Html {
  constructor(text) { this.text = text; }
  toString() { return this.text; }
}

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function piece(value) {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(piece).join('');
  return escapeHtml(value);
}

function html(strings, ...values) {
  let out = strings[0];
  values.forEach((v, i) => { out += piece(v) + strings[i + 1]; });
  return new Html(out);
}

/** Marks text that is already HTML (only for text this generator wrote itself). */
function raw(text) { return new Html(String(text)); }

/** Only http(s) URLs become links to other sites; anything else (javascript:, data:) is refused. */
function isWebUrl(url) { return typeof url === 'string' && /^https?:\/\/[^\s"'<>]+$/i.test(url); }

/** Source strings mix prose, URLs and repo:path@commit references; only http(s) URLs become links. */
function linkify(text) {
  const parts = String(text).split(/(https?:\/\/[^\s"'<>]+)/g);
  return parts.map((p, i) => {
    if (i % 2 === 0) return p;
    const m = /^(.*?)([).,;:]*)$/.exec(p);
    return isWebUrl(m[1]) ? html`<a href="${m[1]}" rel="noopener external">${m[1]}</a>${m[2]}` : p;
  });
}

/**
 * Fills a template file's placeholders. {{name}} is escaped text; {{{name}}} is Html from html``.
 * A placeholder without a value is an error, so a typo cannot ship an empty page section.
 */
function fill(template, values) {
  return new Html(template.replace(/\{\{\{\s*([\w-]+)\s*\}\}\}|\{\{\s*([\w-]+)\s*\}\}/g, (m, rawName, textName) => {
    const name = rawName || textName;
    if (!(name in values)) throw new Error(`template placeholder ${name} has no value`);
    const v = values[name];
    if (rawName) {
      if (!(v instanceof Html)) throw new Error(`template placeholder {{{${name}}}} needs Html, got ${typeof v}`);
      return v.text;
    }
    return escapeHtml(v === null || v === undefined ? '' : v);
  }));
}

module.exports = { Html, html, raw, fill, escapeHtml, isWebUrl, linkify };
