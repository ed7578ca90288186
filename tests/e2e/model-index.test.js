// The model index and the model pages in a real Chromium (Debian's /usr/bin/chromium driven by playwright-core),
// served from a sub-path and opened from file://: the filters, the "fits on my GPU" check against the module,
// the <fitmygpu-widget> on a model page and on someone else's page, no console errors, no foreign requests.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { after, before, describe, test } = require('node:test');
const { serve } = require('./static-server.js');
const { DESKTOP, PHONE, openPage, startSite, stopSite } = require('./browser.js');

const ROOT = path.resolve(__dirname, '..', '..');
const SITE = process.env.FITMYGPU_SITE || path.join(ROOT, 'build', 'site');  // FITMYGPU_SITE: check another copy
const ARTIFACTS = path.join(ROOT, 'build', 'test-artifacts');
const MODEL = 'deepseek-r1-distill-llama-70b';
const FAMILY = 'DeepSeek R1 Distill';

let browser;
let server;
let api;

before(async () => {
  ({ api, server, browser } = await startSite({ site: SITE, required: [path.join('models', 'index.html')], base: '/repo/', artifacts: ARTIFACTS, withApi: true }));
});

after(() => stopSite({ browser, server }));

async function open(url, options = DESKTOP, ready = 'html[data-ready="true"]') {
  return openPage(browser, url, options, ready ? (page) => page.waitForSelector(ready, { timeout: 20000 }) : null);
}

function assertClean(session, origin) {
  assert.deepEqual(session.problems, [], 'no console errors or warnings, no page errors, no failed requests');
  const foreign = session.requests.filter((u) => !u.startsWith(origin));
  assert.deepEqual(foreign, [], `every request stays under ${origin}`);
}

async function visibleIds(page) {
  return page.$$eval('[data-testid="model-table"] tbody tr', (trs) => trs.filter((tr) => !tr.hidden).map((tr) => tr.dataset.id));
}

function runtimeFor(format) {
  if (format.startsWith('gguf:')) return 'llama.cpp';
  if (format.startsWith('mlx-')) return 'mlx';
  return 'vllm';
}

/** The module's verdict for a published checkpoint on a non-Apple GPU, as the index asks it. */
function expectedVerdict(model, format, gpu, context) {
  if (runtimeFor(format) === 'mlx') return 'skipped';
  try {
    return api.estimate({ model, weights: format, runtime: runtimeFor(format), gpu, gpu_count: 1, context, concurrency: 1 }).verdict;
  } catch (e) {
    return 'skipped';
  }
}

/** Filters by family, picks a GPU and context, and checks every chip of every shown model against the module. */
async function checkIndex(page) {
  const all = api.models();
  assert.equal((await visibleIds(page)).length, all.length, 'every model is listed');

  // Search goes through the module's ranking (names, aliases, Hugging Face repos, Ollama tags).
  await page.fill('[data-testid="filter-search"]', 'deepseek-r1:70b');
  assert.deepEqual(await visibleIds(page), api.search('deepseek-r1:70b'));
  assert.deepEqual(await visibleIds(page), [MODEL]);
  await page.fill('[data-testid="filter-search"]', '');

  await page.selectOption('[data-testid="filter-family"]', FAMILY);
  const family = all.filter((m) => m.family === FAMILY).map((m) => m.id).sort();
  assert.deepEqual((await visibleIds(page)).sort(), family);
  await page.selectOption('[data-testid="filter-size"]', '40b-100b');
  assert.deepEqual(await visibleIds(page), [MODEL], 'the 40B-100B DeepSeek R1 distill is the 70B');
  await page.selectOption('[data-testid="filter-size"]', '');
  await page.selectOption('[data-testid="filter-class"]', 'moe');
  assert.deepEqual(await visibleIds(page), [], 'no distill is a mixture of experts');
  assert.equal(await page.isVisible('[data-testid="empty-message"]'), true);
  await page.selectOption('[data-testid="filter-class"]', '');

  // Fits on an RTX 4090 at 8K tokens: every chip says what the module says.
  await page.selectOption('[data-testid="fit-gpu"]', 'rtx-4090');
  await page.selectOption('[data-testid="fit-context"]', '8192');
  await page.waitForSelector('[data-testid="filter-status"][data-state="done"]', { timeout: 30000 });
  const chips = await page.$$eval('[data-testid="model-table"] tbody tr:not([hidden]) .fmt', (els) =>
    els.map((e) => ({ model: e.closest('tr').dataset.id, format: e.dataset.format, verdict: e.dataset.verdict })));
  assert.ok(chips.length >= family.length * 2, `${chips.length} checkpoints checked`);
  for (const c of chips) assert.equal(c.verdict, expectedVerdict(c.model, c.format, 'rtx-4090', 8192), `${c.model} ${c.format}`);
  const fitting = family.filter((id) => chips.some((c) => c.model === id && (c.verdict === 'fits' || c.verdict === 'tight')));
  assert.match(await page.textContent('[data-testid="filter-status"]'), new RegExp(`^${fitting.length} of ${family.length} models have a published checkpoint that fits on 1 × NVIDIA GeForce RTX 4090`));

  // "Only models that fit" hides the 70B (nothing of it fits one 4090) and keeps the 8B.
  await page.check('[data-testid="fit-only"]');
  const shown = await visibleIds(page);
  assert.deepEqual(shown.sort(), [...fitting].sort());
  assert.ok(!shown.includes(MODEL) && shown.includes('deepseek-r1-distill-llama-8b'));

  await page.click('[data-testid="filter-reset"]');
  await page.waitForFunction((n) => [...document.querySelectorAll('[data-testid="model-table"] tbody tr')].filter((tr) => !tr.hidden).length === n, all.length);
}

/** The widget on a model page: preset to the model, answers as the module does, follows its controls and emits events. */
async function checkWidget(page) {
  const widget = page.locator('fitmygpu-widget');
  await page.waitForSelector('fitmygpu-widget [data-testid="widget-verdict"][data-verdict]', { timeout: 20000 });
  const request = await widget.evaluate((w) => w.request());
  // The model page opens the widget on a setup that fits a common card: the 70B's BF16 weights (141 GB) fit no
  // RTX 4090, its Q4_K_M GGUF on llama.cpp fits two.
  assert.deepEqual(request, { model: MODEL, gpu: 'rtx-4090', gpu_count: 2, runtime: 'llama.cpp', weights: 'gguf:Q4_K_M', context: 4096, concurrency: 1 });
  const first = api.estimate(request);
  assert.notEqual(first.verdict, 'does_not_fit');
  assert.equal(await page.getAttribute('fitmygpu-widget [data-testid="widget-verdict"]', 'data-verdict'), first.verdict);
  const worst = Math.max(...first.devices.map((d) => d.required_bytes));
  assert.equal(await page.getAttribute('fitmygpu-widget [data-testid="widget-required"]', 'data-bytes'), String(worst));

  // A change in the widget's own controls: a bubbling, composed event with the module's answer.
  await page.evaluate(() => {
    window.__widgetEvents = [];
    document.addEventListener('fitmygpu-result', (e) => window.__widgetEvents.push({ request: e.detail.request, verdict: e.detail.result.verdict, cause: e.detail.cause }));
  });
  await page.selectOption('fitmygpu-widget select[data-control="gpu"]', 'b200');
  await page.waitForFunction(() => window.__widgetEvents.length > 0);
  const events = await page.evaluate(() => window.__widgetEvents);
  const b200 = { ...request, gpu: 'b200' };
  assert.deepEqual(events, [{ request: b200, verdict: api.estimate(b200).verdict, cause: 'input' }]);
  assert.equal(events[0].verdict, 'fits');
  assert.equal(await widget.getAttribute('gpu'), 'b200', 'the choice is written back to the attribute');

  // Attributes drive it too: BF16 on vLLM on one RTX 4090, which does not hold it.
  await widget.evaluate((w) => { w.setAttribute('runtime', 'vllm'); w.setAttribute('weights', 'bf16'); w.setAttribute('gpu', 'rtx-4090'); w.setAttribute('gpu-count', '1'); });
  const bf16 = { model: MODEL, gpu: 'rtx-4090', gpu_count: 1, runtime: 'vllm', context: 4096, concurrency: 1, weights: 'bf16' };
  await page.waitForFunction(() => window.__widgetEvents.length > 1 && window.__widgetEvents[window.__widgetEvents.length - 1].request.gpu_count === 1);
  assert.equal(await page.getAttribute('fitmygpu-widget [data-testid="widget-verdict"]', 'data-verdict'), api.estimate(bf16).verdict);
  assert.equal(api.estimate(bf16).verdict, 'does_not_fit');

  // A bad model is an error event and a message, not an exception.
  const error = await widget.evaluate((w) => new Promise((resolve) => {
    w.addEventListener('fitmygpu-error', (e) => resolve(e.detail.error), { once: true });
    w.setAttribute('model', 'no-such-model');
  }));
  assert.equal(error.code, 'unknown_model');
  assert.match(await page.textContent('fitmygpu-widget [role="alert"]'), /no-such-model/);
  await widget.evaluate((w) => w.setAttribute('model', 'deepseek-r1-distill-llama-70b'));

  // Loading the widget script a second time is harmless.
  await page.evaluate(() => new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = '../widget/fitmygpu-widget.js';
    s.onload = resolve;
    s.onerror = reject;
    document.head.appendChild(s);
  }));
  assert.equal(await page.evaluate(() => document.querySelectorAll('fitmygpu-widget').length), 1);

  // The calculator link follows the widget: its model, runtime, GPU and context.
  const link = page.locator('[data-testid="open-calculator"]');
  await page.waitForFunction((m) => document.querySelector('[data-testid="open-calculator"]').getAttribute('href').startsWith(`../index.html?model=${m}&`), MODEL);
  const q = new URL(await link.getAttribute('href'), 'http://localhost/models/').searchParams;
  assert.equal(q.get('model'), MODEL);
  assert.equal(q.get('gpu'), await widget.getAttribute('gpu'));
  assert.equal(q.get('runtime'), await widget.getAttribute('runtime'));
  assert.equal(q.get('context'), await widget.getAttribute('context'));
}

describe('the model index', () => {
  test('served from a sub-path: filters, search and the fit check agree with the module', async () => {
    const session = await open(`${server.url}models/index.html`);
    try {
      await checkIndex(session.page);
      await session.page.selectOption('[data-testid="fit-gpu"]', 'rtx-4090');
      await session.page.waitForSelector('[data-testid="filter-status"][data-state="done"]', { timeout: 60000 });
      await session.page.screenshot({ path: path.join(ARTIFACTS, 'model-index-desktop.png') });
      assertClean(session, server.url);
      assert.ok(server.requests.every((u) => u.startsWith('/repo/')));
    } finally {
      await session.context.close();
    }
  });

  test('opened from file://: the same', async () => {
    const session = await open(pathToFileURL(path.join(SITE, 'models', 'index.html')).href);
    try {
      await checkIndex(session.page);
      assertClean(session, pathToFileURL(SITE).href + '/');
    } finally {
      await session.context.close();
    }
  });

  test('on a phone: one card per model, nothing wider than the screen', async () => {
    const session = await open(`${server.url}models/index.html`, PHONE);
    try {
      await session.page.selectOption('[data-testid="fit-gpu"]', 'm4-max-128gb');
      await session.page.selectOption('[data-testid="filter-family"]', FAMILY);
      await session.page.waitForSelector('[data-testid="filter-status"][data-state="done"]', { timeout: 30000 });
      const overflow = await session.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
      await session.page.screenshot({ path: path.join(ARTIFACTS, 'model-index-phone.png'), fullPage: true });
      assertClean(session, server.url);
    } finally {
      await session.context.close();
    }
  });
});

describe('a model page', () => {
  test('served from a sub-path: the widget answers as the module does, links go to the calculator', async () => {
    const session = await open(`${server.url}models/${MODEL}.html`, DESKTOP, 'fitmygpu-widget [data-testid="widget-verdict"][data-verdict]');
    try {
      await checkWidget(session.page);
      await session.page.click('[data-testid="open-calculator"]');
      await session.page.waitForURL((url) => url.href.startsWith(`${server.url}index.html?model=${MODEL}&`));
      await session.page.waitForSelector('html[data-ready="true"]', { timeout: 20000 });
      assert.equal(await session.page.inputValue('[data-testid="model-select"]'), MODEL, 'the calculator opens on the model');
      assert.equal(await session.page.inputValue('[data-testid="gpu-select"]'), 'rtx-4090', 'and on the widget\u2019s GPU');
      assertClean(session, server.url);
    } finally {
      await session.context.close();
    }
  });

  test('opened from file://: the widget works the same', async () => {
    const session = await open(pathToFileURL(path.join(SITE, 'models', `${MODEL}.html`)).href, DESKTOP, 'fitmygpu-widget [data-testid="widget-verdict"][data-verdict]');
    try {
      await checkWidget(session.page);
      assertClean(session, pathToFileURL(SITE).href + '/');
    } finally {
      await session.context.close();
    }
  });

  test('on a phone, light and dark: readable, nothing wider than the screen', async () => {
    for (const colorScheme of ['light', 'dark']) {
      const session = await open(`${server.url}models/${MODEL}.html`, { ...PHONE, colorScheme }, 'fitmygpu-widget [data-testid="widget-verdict"][data-verdict]');
      try {
        const overflow = await session.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${colorScheme}: the page scrolls sideways by ${overflow}px`);
        const colors = await session.page.evaluate(() => [getComputedStyle(document.body).color, getComputedStyle(document.body).backgroundColor]);
        assert.notEqual(colors[0], colors[1]);
        await session.page.screenshot({ path: path.join(ARTIFACTS, `model-page-phone-${colorScheme}.png`), fullPage: true });
        assertClean(session, server.url);
      } finally {
        await session.context.close();
      }
    }
  });
});

describe('the widget on someone else\'s page', () => {
  let dir;
  let docs;
  before(async () => {
    // A documentation page elsewhere: its own folder, a strict CSP (no connect-src: the module comes from its
    // base64 form), and the estimator's files and the widget copied next to it.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fitmygpu-embed-'));
    for (const f of ['fitmygpu.js', 'fitmygpu.wasm', 'fitmygpu-wasm.js']) fs.copyFileSync(path.join(SITE, f), path.join(dir, f));
    fs.copyFileSync(path.join(SITE, 'widget', 'fitmygpu-widget.js'), path.join(dir, 'fitmygpu-widget.js'));
    fs.writeFileSync(path.join(dir, 'docs.html'), `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'">
<title>Serving Qwen3 8B</title>
<script src="fitmygpu-widget.js" defer></script>
<script src="fitmygpu.js" defer></script>
<script src="fitmygpu-widget.js" defer></script>
</head><body><h1>Serving Qwen3 8B</h1>
<fitmygpu-widget model="qwen3-8b" gpu="rtx-3060-12gb" runtime="llama.cpp" weights="gguf:Q4_K_M" context="8192"></fitmygpu-widget>
</body></html>`);
    docs = await serve(dir, '/docs/');
  });
  after(async () => {
    if (docs) await docs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const where of ['served', 'file']) {
    test(`${where === 'served' ? 'served from its own site' : 'opened from file://'}: configured by attributes, styled, under a strict CSP`, async () => {
      const url = where === 'served' ? `${docs.url}docs.html` : pathToFileURL(path.join(dir, 'docs.html')).href;
      const session = await open(url, DESKTOP, 'fitmygpu-widget [data-testid="widget-verdict"][data-verdict]');
      try {
        const request = { model: 'qwen3-8b', gpu: 'rtx-3060-12gb', gpu_count: 1, runtime: 'llama.cpp', context: 8192, concurrency: 1, weights: 'gguf:Q4_K_M' };
        assert.equal(await session.page.getAttribute('fitmygpu-widget [data-testid="widget-verdict"]', 'data-verdict'), api.estimate(request).verdict);
        // The constructed stylesheet applies (a strict style-src blocks <style>, not adopted sheets).
        const weight = await session.page.$eval('fitmygpu-widget', (w) => getComputedStyle(w.shadowRoot.querySelector('.verdict')).fontWeight);
        assert.equal(weight, '750');
        assertClean(session, where === 'served' ? docs.url : pathToFileURL(dir).href + '/');
      } finally {
        await session.context.close();
      }
    });
  }
});
