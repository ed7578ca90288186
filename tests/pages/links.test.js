// A link checker over build/site: every href and src that points into the site names a file that exists,
// relative to the page (so it works from a sub-path and from file://), and every #fragment names an id.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const { SITE, read, htmlFiles, decode } = require('./support.js');

const EXTERNAL = /^(https?:|mailto:|data:)/i;  // other sites, and data: URIs (the offline single-file page)

/** Every href and src value in a page (the generated pages use double quotes throughout). */
function references(page) {
  const markup = page.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/g, '$1</script>');  // inline code is not markup
  return [...markup.matchAll(/<[a-zA-Z][^>]*?\s(href|src)="([^"]*)"/g)].map((m) => ({ attr: m[1], value: decode(m[2]) }));
}

function ids(page) { return new Set([...page.matchAll(/\sid="([^"]+)"/g)].map((m) => decode(m[1]))); }

test('every local href and src in build/site resolves to a file, relatively, and every fragment to an id', () => {
  const files = htmlFiles();
  assert.ok(files.length > 100, `found ${files.length} pages`);
  const problems = [];
  let checked = 0;
  for (const file of files) {
    const page = read(file);
    const dir = path.dirname(path.join(SITE, file));
    for (const ref of references(page)) {
      const v = ref.value;
      if (EXTERNAL.test(v)) continue;
      checked += 1;
      if (v === '' || /^[a-z][a-z0-9+.-]*:/i.test(v)) { problems.push(`${file}: ${ref.attr}="${v}" is not a site link`); continue; }
      if (v.startsWith('/')) { problems.push(`${file}: ${ref.attr}="${v}" is root-absolute (breaks under a sub-path and file://)`); continue; }
      const [beforeHash, fragment] = v.split('#');
      const filePart = beforeHash.split('?')[0];
      const target = filePart ? path.resolve(dir, decodeURIComponent(filePart)) : path.join(SITE, file);
      if (!target.startsWith(SITE + path.sep)) { problems.push(`${file}: ${v} leaves the site`); continue; }
      if (!fs.existsSync(target) || !fs.statSync(target).isFile()) { problems.push(`${file}: ${v} → missing ${path.relative(SITE, target)}`); continue; }
      if (fragment && target.endsWith('.html') && !ids(fs.readFileSync(target, 'utf8')).has(decodeURIComponent(fragment))) {
        problems.push(`${file}: ${v} → no id "${fragment}"`);
      }
    }
  }
  assert.deepEqual(problems, [], `${problems.length} broken links of ${checked}`);
  assert.ok(checked > files.length * 5, `checked ${checked} local links`);
});

test('the stylesheets reference no missing file', () => {
  const sheets = ['pages/pages.css', 'style.css'].filter((f) => fs.existsSync(path.join(SITE, f)));
  for (const sheet of sheets) {
    for (const m of read(sheet).matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
      if (/^(data:|https?:)/.test(m[1])) continue;
      assert.ok(fs.existsSync(path.resolve(path.dirname(path.join(SITE, sheet)), m[1])), `${sheet}: url(${m[1]})`);
    }
  }
});

test('every sitemap URL names a file of the site', () => {
  const sitemap = read('sitemap.xml');
  const locs = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => decode(m[1]));
  const base = locs[0];
  assert.ok(base.endsWith('/'), 'the first URL is the site root');
  for (const loc of locs) {
    assert.ok(loc.startsWith(base), loc);
    const rel = decodeURIComponent(loc.slice(base.length)) || 'index.html';
    assert.ok(fs.existsSync(path.join(SITE, rel)), `${loc} → ${rel}`);
  }
});
