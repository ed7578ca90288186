// The page in a real Chromium (Debian's /usr/bin/chromium driven by playwright-core): served from a
// sub-path on loopback and opened from file://. Each case checks the page's numbers against the module
// itself, that nothing logged an error, and that no request left the page's own origin.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { after, before, describe, test } = require('node:test');
const { DESKTOP, PHONE, openPage, startSite, stopSite } = require('./browser.js');

const ROOT = path.resolve(__dirname, '..', '..');
const SITE = path.join(ROOT, 'build', 'site');
const ARTIFACTS = path.join(ROOT, 'build', 'test-artifacts');
const TESTIDS = ['model-select', 'gpu-select', 'gpu-count', 'runtime-select', 'weights-select', 'context-input',
  'concurrency-input', 'kv-dtype-select', 'verdict', 'required-memory', 'headroom', 'max-concurrency', 'gpu-table', 'breakdown'];

let browser;
let server;
let api;  // the same bundle in node: the page must show what the module answers

before(async () => {
  ({ api, server, browser } = await startSite({ site: SITE, required: ['index.html'], base: '/repo/', artifacts: ARTIFACTS, withApi: true }));
});

after(() => stopSite({ browser, server }));

// Opens url in a fresh context and records console errors, page errors and every requested URL.
async function open(url, options = DESKTOP) {
  return openPage(browser, url, options, (page) => page.waitForSelector('html[data-ready="true"]', { timeout: 15000 }));
}

// The page marks <html data-busy> from the moment a control changes until the verdict, table and chart are
// redrawn (text fields are debounced), so waiting for it to go away waits for the answer to the last change.
async function settled(page) {
  await page.waitForSelector('html[data-ready="true"]:not([data-busy])', { timeout: 15000 });
}

async function verdictOf(page) {
  await settled(page);
  await page.waitForSelector('[data-testid="verdict"][data-verdict]', { timeout: 10000 });
  return page.getAttribute('[data-testid="verdict"]', 'data-verdict');
}

async function choose(page, choices) {
  if (choices.model) await page.selectOption('[data-testid="model-select"]', choices.model);
  if (choices.runtime) await page.selectOption('[data-testid="runtime-select"]', choices.runtime);
  if (choices.weights !== undefined) await page.selectOption('[data-testid="weights-select"]', choices.weights);
  if (choices.gpu) await page.selectOption('[data-testid="gpu-select"]', choices.gpu);
  if (choices.gpu_count) await page.fill('[data-testid="gpu-count"]', String(choices.gpu_count));
  if (choices.context) await page.fill('[data-testid="context-input"]', String(choices.context));
  if (choices.concurrency) await page.fill('[data-testid="concurrency-input"]', String(choices.concurrency));
  if (choices.kv_cache_dtype) await page.selectOption('[data-testid="kv-dtype-select"]', choices.kv_cache_dtype);
  await settled(page);
}

// The page's answer must be the module's answer for the same request.
async function assertShows(page, request) {
  const expected = api.estimate(request);
  assert.equal(await verdictOf(page), expected.verdict, JSON.stringify(request));
  const worst = Math.max(...expected.devices.map((d) => d.required_bytes));
  const required = await page.textContent('[data-testid="required-memory"]');
  assert.equal(required, `${(worst / 2 ** 30).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} GiB`);
  assert.match(await page.textContent('[data-testid="headroom"]'), /GiB$/);
  assert.match(await page.textContent('[data-testid="max-concurrency"]'), /^\d[\d,]* requests?$/);
  const rows = await page.$$eval('[data-testid="breakdown"] tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-component'),
    tr.querySelector('.item-label').textContent, tr.querySelector('code.formula').textContent, tr.querySelector('code.substituted').textContent]));
  assert.equal(rows.length, expected.breakdown.length);
  rows.forEach((cells, i) => {
    const b = expected.breakdown[i];
    assert.deepEqual(cells, [b.component, b.label, b.formula, b.substituted]);
  });
  return expected;
}

function assertClean({ problems }) {
  assert.deepEqual(problems, [], 'no console errors or warnings, no page errors, no failed requests');
}

describe('the calculator page', () => {
  test('served from a sub-path: lists the catalog, computes, and only asks its own origin', async () => {
    const session = await open(server.url);
    const { page } = session;
    try {
      // Menus come from the module's catalog, nothing else.
      const modelIds = await page.$$eval('[data-testid="model-select"] option', (os) => os.map((o) => o.value));
      const gpuIds = await page.$$eval('[data-testid="gpu-select"] option', (os) => os.map((o) => o.value));
      assert.deepEqual([...modelIds].sort(), api.models().map((m) => m.id).sort());
      assert.deepEqual(gpuIds.filter((id) => id !== 'custom').sort(), api.gpus().map((g) => g.id).sort());

      // Every control and output the tests and the later calculator rely on is there; controls are labelled.
      for (const id of TESTIDS) assert.equal(await page.locator(`[data-testid="${id}"]`).count(), 1, id);
      const unlabelled = await page.$$eval('select, input', (cs) => cs.filter((c) => !c.labels || c.labels.length === 0).map((c) => c.id));
      assert.deepEqual(unlabelled, []);

      // With no runtime in the address the runtime follows the GPU: llama.cpp on a consumer card.
      await assertShows(page, { model: 'llama-3.1-8b', gpu: 'rtx-4090', gpu_count: 1, runtime: 'llama.cpp', context: 4096, concurrency: 1, kv_cache_dtype: 'auto' });

      const choices = { model: 'deepseek-r1-distill-llama-70b', gpu: 'h100-sxm-80gb', gpu_count: 2, runtime: 'vllm', weights: 'bf16', context: 8192, concurrency: 2 };
      await choose(page, choices);
      const r = await assertShows(page, { ...choices, kv_cache_dtype: 'auto' });
      assert.equal(r.devices.length, 2);
      const devices = await page.$$eval('[data-testid="breakdown"] tbody td.device-cell', (tds) => [...new Set(tds.map((td) => td.textContent))]);
      assert.deepEqual(devices, ['h100-sxm-80gb#0', 'h100-sxm-80gb#1']);

      await choose(page, { gpu: 'rtx-4090', gpu_count: 1 });
      assert.equal(await verdictOf(page), 'does_not_fit');

      const llama = { model: 'llama-3.1-8b', runtime: 'llama.cpp', weights: 'gguf:Q4_K_M', gpu: 'rtx-3060-12gb', gpu_count: 1, context: 8192, concurrency: 2, kv_cache_dtype: 'q8_0' };
      await choose(page, llama);
      await assertShows(page, llama);

      await page.screenshot({ path: path.join(ARTIFACTS, 'page-desktop.png'), fullPage: true });

      const foreign = session.requests.filter((u) => !u.startsWith(server.url));
      assert.deepEqual(foreign, [], 'every request stays under the page\'s own sub-path');
      assert.ok(server.requests.every((u) => u.startsWith('/repo/')), server.requests.join(' '));
      assertClean(session);
    } finally {
      await session.context.close();
    }
  });

  test('a bad value shows the estimator\'s message and clears the result', async () => {
    const session = await open(server.url);
    const { page } = session;
    try {
      await verdictOf(page);
      await page.fill('[data-testid="context-input"]', '-5');
      await settled(page);
      await page.waitForSelector('[role="alert"]:not([hidden])');
      assert.equal(await page.getAttribute('[role="alert"]', 'data-field'), 'context');
      assert.match(await page.textContent('[role="alert"]'), /^context /);
      assert.equal(await page.getAttribute('[data-testid="context-input"]', 'aria-invalid'), 'true');
      assert.equal(await page.textContent('[data-testid="verdict"]'), '\u2014');
      await page.fill('[data-testid="context-input"]', '4096');
      await verdictOf(page);
      assert.equal(await page.isHidden('[role="alert"]'), true);
      assertClean(session);
    } finally {
      await session.context.close();
    }
  });

  test('opened from file:// (a saved page): computes a verdict', async () => {
    const url = pathToFileURL(path.join(SITE, 'index.html')).href;
    const session = await open(url);
    const { page } = session;
    try {
      await assertShows(page, { model: 'llama-3.1-8b', gpu: 'rtx-4090', runtime: 'llama.cpp' });
      await choose(page, { model: 'qwen3-4b', runtime: 'transformers', gpu: 'rtx-3060-12gb' });
      await assertShows(page, { model: 'qwen3-4b', runtime: 'transformers', gpu: 'rtx-3060-12gb', gpu_count: 1, context: 4096, concurrency: 1, kv_cache_dtype: 'auto' });
      const siteUrl = pathToFileURL(SITE).href + '/';
      const foreign = session.requests.filter((u) => !u.startsWith(siteUrl));
      assert.deepEqual(foreign, [], 'only the site\'s own files');
      assertClean(session);
    } finally {
      await session.context.close();
    }
  });

  test('on a phone-sized screen: nothing wider than the screen, result readable', async () => {
    const session = await open(server.url, PHONE);
    const { page } = session;
    try {
      await choose(page, { model: 'deepseek-r1-distill-llama-70b', gpu: 'h100-sxm-80gb', gpu_count: 2 });
      await verdictOf(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
      assert.ok(await page.isVisible('[data-testid="verdict"]'));
      await page.screenshot({ path: path.join(ARTIFACTS, 'page-phone.png'), fullPage: true });
      assertClean(session);
    } finally {
      await session.context.close();
    }
  });
});
