// Site-wide files: the 404 page, sitemap.xml and the static assets the pages load.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { html, fill, escapeHtml } = require('./html.js');

/** The placeholder base URL used when FITMYGPU_BASE_URL is not set (sitemap.xml needs absolute URLs). */
const PLACEHOLDER_BASE_URL = 'https://fitmygpu.example/';

/**
 * The hosted site's base URL, from FITMYGPU_BASE_URL, ending with "/". `configured` is false for the
 * placeholder: pages then carry no canonical link and the 404 page links relatively.
 */
function baseUrl(env = process.env) {
  const value = (env.FITMYGPU_BASE_URL || '').trim();
  if (!value) return { url: PLACEHOLDER_BASE_URL, configured: false };
  let u;
  try {
    u = new URL(value);
  } catch (e) {
    throw new Error(`FITMYGPU_BASE_URL is not a URL: ${value}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`FITMYGPU_BASE_URL must be http(s): ${value}`);
  u.search = '';
  u.hash = '';
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return { url: u.href, configured: true };
}

/**
 * 404.html: hosts serve it for a missing path at any depth, where relative links would point nowhere.
 * With a configured base URL its links are absolute; without one they are relative to the site root
 * (right when the host serves it from the root, as a local server or a root-level deployment does).
 */
function notFoundPage(templates, base) {
  const root = base.configured ? base.url : '';
  return fill(templates.layout, {
    title: 'Page not found | FitMyGPU',
    description: 'This page does not exist. Open the FitMyGPU calculator or browse every model in the catalog.',
    head: html`  <meta name="robots" content="noindex">`,
    root,
    scripts: html``,
    page_class: 'notfound-page',
    nav_calculator: html``,
    nav_models: html``,
    nav_accuracy: html``,
    body: fill(templates.notFound, { root }),
  });
}

/** sitemap.xml: the calculator, the model index, the accuracy page and every model page, as absolute URLs under the base. */
function sitemap(base, modelIds) {
  const paths = ['', 'models/index.html', 'accuracy.html', ...modelIds.map((id) => `models/${encodeURIComponent(id)}.html`)];
  const urls = paths.map((p) => `  <url><loc>${escapeHtml(new URL(p, base.url).href)}</loc></url>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.join('\n')}\n</urlset>\n`;
}

function readTemplates(dir) {
  const read = (name) => fs.readFileSync(path.join(dir, name), 'utf8');
  return { layout: read('layout.html'), model: read('model.html'), index: read('index.html'), notFound: read('404.html'), accuracy: read('accuracy.html') };
}

/** Copies the pages' stylesheet and scripts and the widget into the site. */
function copyAssets(root, site) {
  const copies = [
    ['web/pages/css/pages.css', 'pages/pages.css'],
    ['web/pages/js/model-index.js', 'pages/model-index.js'],
    ['web/pages/js/model-page.js', 'pages/model-page.js'],
    ['web/widget/fitmygpu-widget.js', 'widget/fitmygpu-widget.js'],
  ];
  for (const [from, to] of copies) {
    fs.mkdirSync(path.dirname(path.join(site, to)), { recursive: true });
    fs.copyFileSync(path.join(root, from), path.join(site, to));
  }
  return copies.map(([, to]) => to);
}

module.exports = { PLACEHOLDER_BASE_URL, baseUrl, notFoundPage, sitemap, readTemplates, copyAssets };
