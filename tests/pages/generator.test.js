// The model-page generator (scripts/build-pages) and what it wrote into build/site: a page for every catalog
// model, titles and descriptions, escaping of catalog text, the CSP-friendly markup, sitemap.xml and 404.html.
'use strict';

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { before, describe, test } = require('node:test');
const { ROOT, SITE, catalogModel, loadApi, read, htmlFiles, text, element, attr, attributes } = require('./support.js');
const { html, fill, escapeHtml, isWebUrl, Html } = require('../../scripts/pages/html.js');
const { modelPage } = require('../../scripts/pages/render-model.js');
const { readTemplates, PLACEHOLDER_BASE_URL } = require('../../scripts/pages/site.js');
const { modelFacts } = require('../../scripts/pages/facts.js');

let api;
before(async () => {
  assert.ok(fs.existsSync(path.join(SITE, 'models', 'index.html')), `no model pages in ${SITE} (run scripts/build)`);
  api = await loadApi();
});

describe('the generated site', () => {
  test('has a page for every catalog model, named after it, and an index row for each', () => {
    const files = fs.readdirSync(path.join(ROOT, 'catalog', 'models')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
    const ids = api.models().map((m) => m.id).sort();
    assert.deepEqual(ids, files, 'the module was built from the catalog as it is');
    const index = read('models/index.html');
    const rows = attributes(index, 'data-id').map((a) => a.value).sort();
    assert.deepEqual(rows, ids, 'models/index.html lists every model once');
    for (const m of api.models()) {
      const page = read(`models/${m.id}.html`);
      assert.equal(text(element(page, '<h1').inner), m.name, m.id);
      assert.match(page, new RegExp(`<fitmygpu-widget model="${m.id}"`), `${m.id}: the widget is preset to the model`);
      assert.ok(page.includes(`href="../index.html?model=${encodeURIComponent(m.id)}"`), `${m.id}: Open in calculator`);
      assert.ok(page.includes('href="../plan.html"'), `${m.id}: links to the hardware page`);
      assert.ok(page.includes('<script src="../pages/model-page.js" defer></script>'), `${m.id}: its links follow the widget`);
      for (const heading of ['Overview and architecture', 'Research highlight', 'Training and release context', 'Where it is strong', 'Memory behavior', 'Sources']) {
        assert.ok(page.includes(`>${heading}</h2>`), `${m.id}: section ${heading}`);
      }
    }
    const extra = fs.readdirSync(path.join(SITE, 'models')).filter((f) => f !== 'index.html' && !ids.includes(f.replace(/\.html$/, '')));
    assert.deepEqual(extra, [], 'no page for a model that is not in the catalog');
  });

  test('every page has one title, one meta description and the CSP, and no inline script, style or handler', () => {
    const titles = new Set();
    for (const file of htmlFiles()) {
      const page = read(file);
      const t = [...page.matchAll(/<title>([^<]*)<\/title>/g)];
      assert.equal(t.length, 1, `${file}: one <title>`);
      assert.ok(t[0][1].trim().length > 10, `${file}: a real title`);
      const d = [...page.matchAll(/<meta name="description" content="([^"]*)">/g)];
      assert.equal(d.length, 1, `${file}: one meta description`);
      assert.ok(d[0][1].length >= 50 && d[0][1].length <= 200, `${file}: description of 50-200 characters, got ${d[0][1].length}`);
      assert.match(page, /<meta name="viewport" content="width=device-width, initial-scale=1">/, `${file}: viewport`);
      titles.add(t[0][1]);
      // The markup rules below are checked on the pages this generator writes (the calculator pages have their own tests).
      if (!file.startsWith('models/') && file !== '404.html' && file !== 'accuracy.html') continue;
      assert.match(page, /http-equiv="Content-Security-Policy"[^>]*script-src 'self' 'wasm-unsafe-eval'/, `${file}: CSP`);
      for (const s of page.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) {
        assert.match(s[0], /\ssrc="[^"]+"/, `${file}: scripts come from files`);
        assert.equal(s[1].trim(), '', `${file}: no inline script`);
      }
      assert.doesNotMatch(page, /<style\b/, `${file}: no <style>`);
      assert.doesNotMatch(page, /\sstyle="/, `${file}: no style attribute`);
      assert.doesNotMatch(page, /\son[a-z]+="/, `${file}: no inline event handler`);
      assert.doesNotMatch(page, /javascript:/i, `${file}: no javascript: URL`);
      const ids = [...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), [], `${file}: ids are unique`);
    }
    assert.equal(titles.size, htmlFiles().length, 'titles are unique');
  });

  test('catalog text is escaped: a model whose page text mentions <think> shows it as text', () => {
    const id = 'qwen3-4b-instruct-2507';
    const rec = catalogModel(id);
    const withTag = [rec.page.summary, ...['highlights', 'release_context', 'strengths'].flatMap((k) => rec.page[k].map((c) => c.text))].find((t) => t.includes('<think>'));
    assert.ok(withTag, 'the catalog entry still mentions <think>');
    const page = read(`models/${id}.html`);
    assert.ok(page.includes(escapeHtml(withTag)), 'the text appears escaped');
    assert.ok(!page.includes('<think>'), 'and never as a tag');
  });

  test('a record full of markup renders as text (every interpolated value is escaped)', () => {
    const facts = JSON.parse(JSON.stringify(modelFacts(api, 'gemma-3-27b')));
    const evil = '<script>alert(1)</script>"\'&<img src=x onerror=alert(2)>';
    const r = facts.record;
    Object.assign(r, { name: evil, company: evil, family: evil, license: evil, release_date: evil, modality: evil, hf_repo: evil });
    for (const k of ['highlights', 'release_context', 'strengths']) r.page[k] = [{ title: evil, text: evil }];
    r.page.summary = evil;
    r.page.sources = [{ title: evil, url: 'javascript:alert(3)' }, { title: evil, url: `https://example.org/${evil}` }];
    r.sources = { config: `${evil} https://example.org/"onmouseover=alert(4)` };
    r.published_params.note = evil;
    facts.checkpoints[0].repos[0].repo = evil;
    facts.fits.gpus[0].name = evil;
    const out = String(modelPage(facts, readTemplates(path.join(ROOT, 'web', 'pages', 'templates'))));
    assert.ok(!out.includes('<script>alert'), 'no script tag from data');
    assert.ok(!out.includes('<img src=x'), 'no element from data');
    // Attribute values are quoted and quotes inside them escaped, so dropping quoted values leaves the attribute names.
    assert.ok(!/<[^>]*\son[a-z]+=/i.test(out.replace(/"[^"]*"/g, '""')), 'no handler attribute inside any tag');
    assert.ok(!out.includes('javascript:'), 'a javascript: source is not linked');
    assert.ok(out.includes(escapeHtml(evil)), 'the text is there, escaped');
  });

  test('the HTML helpers escape & < > " \' and refuse unmarked or missing template values', () => {
    assert.equal(escapeHtml(`<a href="x">&'</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
    assert.equal(String(html`<p title="${'"q"'}">${'<b>'}${html`<i>ok</i>`}${['<', html`<br>`]}</p>`), '<p title="&quot;q&quot;">&lt;b&gt;<i>ok</i>&lt;<br></p>');
    assert.equal(String(fill('<p>{{a}}</p>{{{b}}}', { a: '<x>', b: new Html('<y>') })), '<p>&lt;x&gt;</p><y>');
    assert.throws(() => fill('{{missing}}', {}), /missing/);
    assert.throws(() => fill('{{{raw}}}', { raw: '<b>' }), /needs Html/);
    assert.equal(isWebUrl('https://huggingface.co/x/y'), true);
    assert.equal(isWebUrl('javascript:alert(1)'), false);
    assert.equal(isWebUrl('https://a.b/"x'), false);
  });
});

describe('sitemap.xml, canonical links and 404.html', () => {
  test('by default: sitemap.xml under the placeholder base URL, no canonical links, a 404 page with relative links', () => {
    const sitemap = read('sitemap.xml');
    const locs = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
    assert.equal(locs.length, api.models().length + 3);
    assert.ok(locs.includes(`${PLACEHOLDER_BASE_URL}accuracy.html`), 'the accuracy page is listed');
    assert.ok(locs.every((u) => u.startsWith(PLACEHOLDER_BASE_URL)), 'every URL under the placeholder');
    assert.ok(locs.includes(`${PLACEHOLDER_BASE_URL}models/deepseek-r1-distill-llama-70b.html`));
    assert.ok(!read('models/llama-3.1-8b.html').includes('rel="canonical"'));
    const nf = read('404.html');
    assert.match(nf, /<title>Page not found \| FitMyGPU<\/title>/);
    assert.ok(nf.includes('href="index.html"') && nf.includes('href="models/index.html"'));
    assert.match(nf, /<meta name="robots" content="noindex">/);
  });

  test('FITMYGPU_BASE_URL sets the sitemap, the canonical links and absolute 404 links', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fitmygpu-pages-'));
    try {
      for (const f of ['fitmygpu.js', 'fitmygpu.wasm', 'favicon.svg']) fs.copyFileSync(path.join(SITE, f), path.join(dir, f));
      execFileSync(path.join(ROOT, 'scripts', 'build-pages'), ['--site', dir, '--only', 'llama-3.1-8b,qwen3-8b'], {
        env: { ...process.env, FITMYGPU_BASE_URL: 'https://example.org/tools/fit' }, stdio: 'pipe',
      });
      const base = 'https://example.org/tools/fit/';
      const locs = [...fs.readFileSync(path.join(dir, 'sitemap.xml'), 'utf8').matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
      assert.deepEqual(locs, [base, `${base}models/index.html`, `${base}accuracy.html`, `${base}models/llama-3.1-8b.html`, `${base}models/qwen3-8b.html`]);
      assert.ok(fs.readFileSync(path.join(dir, 'accuracy.html'), 'utf8').includes(`<link rel="canonical" href="${base}accuracy.html">`));
      const page = fs.readFileSync(path.join(dir, 'models', 'llama-3.1-8b.html'), 'utf8');
      assert.ok(page.includes(`<link rel="canonical" href="${base}models/llama-3.1-8b.html">`));
      const nf = fs.readFileSync(path.join(dir, '404.html'), 'utf8');
      assert.ok(nf.includes(`href="${base}models/index.html"`) && nf.includes(`href="${base}pages/pages.css"`));
      assert.throws(() => execFileSync(path.join(ROOT, 'scripts', 'build-pages'), ['--site', dir, '--only', 'qwen3-8b'], {
        env: { ...process.env, FITMYGPU_BASE_URL: 'ftp://example.org/' }, stdio: 'pipe',
      }), /must be http/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
