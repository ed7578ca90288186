// Shared helpers of the page tests: where the site is, the module that built it, and a few readers for the
// generated HTML (which this project writes itself, so attribute-level regular expressions are enough).
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const SITE = process.env.FITMYGPU_SITE || path.join(ROOT, 'build', 'site');  // FITMYGPU_SITE: check another copy
const GIB = 2 ** 30;

let apiPromise = null;
/** The module the site ships (build/site/fitmygpu.js): the pages must say what it answers. */
function loadApi() {
  if (!apiPromise) apiPromise = require(path.join(SITE, 'fitmygpu.js')).ready();
  return apiPromise;
}

/** A model's entry as catalog/models/*.json writes it (the page text lives there, not in the module). */
function catalogModel(id) {
  const dir = path.join(ROOT, 'catalog', 'models');
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const doc = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
    for (const e of Array.isArray(doc) ? doc : [doc]) if (e && e.id === id) return e;
  }
  throw new Error(`no catalog model ${id}`);
}

function read(rel) { return fs.readFileSync(path.join(SITE, rel), 'utf8'); }

/** Every .html file under the site, relative paths. */
function htmlFiles(dir = SITE, base = '') {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...htmlFiles(path.join(dir, e.name), rel));
    else if (e.name.endsWith('.html')) out.push(rel);
  }
  return out.sort();
}

const ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
function decode(text) { return text.replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m]); }
/** Text content of an HTML fragment: tags dropped, entities decoded, white space collapsed. */
function text(fragment) {
  return decode(fragment.replace(/<\/?(span|strong|em|b|i|a|time|code|sup)\b[^>]*>/g, '').replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
}

/** The opening tag and inner HTML of the first element whose opening tag matches `attr` (e.g. 'data-fact="layers"'). */
function element(html, attr) {
  const i = html.indexOf(attr);
  if (i < 0) return null;
  const start = html.lastIndexOf('<', i);
  const tag = /^<([a-zA-Z0-9-]+)/.exec(html.slice(start))[1];
  const open = html.indexOf('>', i) + 1;
  // Walk nested elements of the same name to find the matching close tag.
  let depth = 1;
  const re = new RegExp(`<(/?)${tag}\\b[^>]*>`, 'g');
  re.lastIndex = open;
  let m;
  while ((m = re.exec(html))) {
    depth += m[1] ? -1 : 1;
    if (depth === 0) return { tag: html.slice(start, open), inner: html.slice(open, m.index) };
  }
  throw new Error(`unclosed <${tag}> at ${attr}`);
}

/** The value of attribute `name` in an opening tag. */
function attr(tag, name) {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decode(m[1]) : null;
}

/** Every opening tag with attribute `name`, with its value. */
function attributes(html, name) {
  return [...html.matchAll(new RegExp(`<[a-zA-Z][^>]*\\s${name}="([^"]*)"[^>]*>`, 'g'))].map((m) => ({ tag: m[0], value: decode(m[1]) }));
}

function gibText(bytes) { return `${(bytes / GIB).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} GiB`; }

module.exports = { catalogModel, ROOT, SITE, GIB, loadApi, read, htmlFiles, decode, text, element, attr, attributes, gibText };
