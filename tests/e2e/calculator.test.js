// The calculator in a real Chromium (Debian's /usr/bin/chromium driven by playwright-core), against the native CLI:
// after every change the page reports the request behind its numbers (window.__fitmygpuRequest), the test runs
// build/native/fitmygpu on that same request and the page must show the CLI's verdict and bytes exactly. Also:
// the GPU table, the chart, units, links that restore the whole state, links that are partly wrong or hostile,
// file:// and the single-file offline page, the keyboard, and screenshots at desktop and phone sizes.
'use strict';
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { after, before, describe, test } = require('node:test');
const { DESKTOP, PHONE, openPage, startSite, stopSite } = require('./browser.js');

const ROOT = path.resolve(__dirname, '..', '..');
const SITE = path.join(ROOT, 'build', 'site');
const CLI = path.join(ROOT, 'build', 'native', 'fitmygpu');
const ARTIFACTS = path.join(ROOT, 'build', 'test-artifacts');
const GIB = 2 ** 30;

let browser;
let server;

before(async () => {
  ({ server, browser } = await startSite({ site: SITE, required: ['index.html', 'fitmygpu.js', 'fitmygpu-offline.html', CLI], base: '/fitmygpu/',
    artifacts: ARTIFACTS }));
});

after(() => stopSite({ browser, server }));

// ---- helpers ----

function cli(method, request) {
  const r = spawnSync(CLI, [method, '-'], { input: JSON.stringify(request), encoding: 'utf8' });
  assert.equal(r.status, 0, `fitmygpu ${method} exited ${r.status}: ${r.stdout} ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// Opens url in a fresh context, recording console errors and warnings, page errors, failed and all requests.
async function open(url, options = DESKTOP) {
  return openPage(browser, url, options, settled);
}

async function withPage(url, options, fn) {
  const session = await open(url, options);
  try {
    await fn(session.page, session);
    assert.deepEqual(session.problems, [], 'no console errors or warnings, no page errors, no failed requests');
  } finally {
    await session.context.close();
  }
}

// <html data-busy> is set from a control's change until the verdict, table and chart are redrawn.
async function settled(page) {
  await page.waitForSelector('html[data-ready="true"]:not([data-busy])', { timeout: 20000 });
}

// What the page shows, in bytes, with the request behind it.
async function shown(page) {
  await settled(page);
  return page.evaluate(() => {
    const q = (id) => document.querySelector(`[data-testid="${id}"]`);
    return {
      request: window.__fitmygpuRequest,
      dataRequest: JSON.parse(document.getElementById('result').getAttribute('data-request')),
      verdict: q('verdict').getAttribute('data-verdict'),
      required: Number(q('required-memory').getAttribute('data-bytes')),
      requiredText: q('required-memory').textContent,
      headroom: Number(q('headroom').getAttribute('data-bytes')),
      maxConcurrency: Number(q('max-concurrency').getAttribute('data-value')),
      maxContext: Number(q('max-context').getAttribute('data-value')),
      breakdown: [...q('breakdown').querySelectorAll('tbody tr')].map((tr) => [tr.getAttribute('data-component'),
        tr.querySelector('.item-label').textContent, Number(tr.querySelector('td.num').getAttribute('data-bytes'))]),
      error: document.getElementById('error').hidden ? '' : document.getElementById('error').textContent,
    };
  });
}

const gb = (bytes) => `${Math.abs(bytes / 1e9).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} GB`;
const gib = (bytes) => `${Math.abs(bytes / GIB).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} GiB`;

// The page's numbers are the CLI's for the request the page reports.
async function assertMatchesCli(page, label) {
  const s = await shown(page);
  assert.equal(s.error, '', `${label}: the page shows an error`);
  assert.deepEqual(s.dataRequest, s.request, `${label}: data-request and window.__fitmygpuRequest agree`);
  const r = cli('estimate', s.request);
  const what = `${label}: ${JSON.stringify(s.request)}`;
  assert.equal(s.verdict, r.verdict, what);
  assert.equal(s.required, Math.max(...r.devices.map((d) => d.required_bytes)), what);
  assert.equal(s.headroom, Math.min(...r.devices.map((d) => d.headroom_bytes)), what);
  assert.equal(s.maxConcurrency, r.limits.max_concurrency, what);
  assert.equal(s.maxContext, r.limits.max_context, what);
  assert.deepEqual(s.breakdown, r.breakdown.map((b) => [b.component, b.label, b.bytes]), what);
  assert.equal(s.requiredText, / GB$/.test(s.requiredText) ? gb(s.required) : gib(s.required), what);
  return s;
}

async function select(page, testid, value) {
  await page.selectOption(`[data-testid="${testid}"]`, value);
  await settled(page);
}
async function fill(page, selector, value) {
  await page.fill(selector, String(value));
  await settled(page);
}

async function knobs(page) {
  return page.$$eval('[data-knob]', (ns) => ns.map((n) => n.getAttribute('data-knob')));
}

// ---- tests ----

describe('the calculator against the command line', () => {
  test('each control changes the verdict and the numbers exactly as the CLI computes them', async () => {
    await withPage(server.url, DESKTOP, async (page) => {
      const steps = [
        ['defaults', async () => {}],
        ['model', () => select(page, 'model-select', 'deepseek-r1-distill-llama-70b')],
        ['GPU', () => select(page, 'gpu-select', 'h100-sxm-80gb')],
        ['GPU count', () => fill(page, '[data-testid="gpu-count"]', 2)],
        ['runtime', () => select(page, 'runtime-select', 'llama.cpp')],
        ['context', () => fill(page, '[data-testid="context-input"]', 32768)],
        ['concurrency', () => fill(page, '[data-testid="concurrency-input"]', 4)],
        ['KV cache type', () => select(page, 'kv-dtype-select', 'q8_0')],
        ['weights', () => select(page, 'weights-select', 'gguf:Q8_0')],
        ['engine knob', async () => {
          await page.click('#advanced summary');
          await fill(page, '[data-knob="n_gpu_layers"]', 40);
        }],
        ['runtime again', () => select(page, 'runtime-select', 'sglang')],
        ['memory share', () => fill(page, '[data-knob="mem_fraction_static"]', 0.8)],
        ['memory in use elsewhere', () => fill(page, '[data-testid="in-use"]', 2048)],
        ['context preset', async () => {
          await page.click('#context-presets button[data-context="8192"]');
          await settled(page);
        }],
        ['custom device', async () => {
          await select(page, 'gpu-select', 'custom');
          await fill(page, '[data-testid="custom-memory"]', 96);
        }],
      ];
      const seen = [];
      let previous = null;
      for (const [label, act] of steps) {
        await act();
        const s = await assertMatchesCli(page, label);
        const tuple = JSON.stringify([s.verdict, s.required, s.headroom]);
        if (previous) assert.notEqual(tuple, previous, `${label} changed nothing`);
        previous = tuple;
        seen.push(s.verdict);
      }
      // The walk goes from fitting to not fitting and back.
      assert.deepEqual(seen.slice(0, 4), ['fits', 'does_not_fit', 'does_not_fit', 'fits']);
      const last = await shown(page);
      assert.deepEqual(last.request.device, { name: 'Custom device', memory_mib: 96 * 1024 });
      assert.deepEqual(last.request.engine, { mem_fraction_static: 0.8 });
      assert.equal(last.request.context, 8192);
      assert.equal(last.request.gpu_memory_in_use_mib, 2048);
    });
  });

  test('each runtime shows only its own knobs and KV cache types', async () => {
    await withPage(server.url, DESKTOP, async (page) => {
      const expectations = {
        vllm: { has: ['gpu_memory_utilization', 'max_num_batched_tokens', 'max_num_seqs', 'block_size', 'tensor_parallel_size', 'enforce_eager', 'version'], not: ['n_gpu_layers', 'mem_fraction_static'], kv: 'fp8', notKv: 'q8_0' },
        sglang: { has: ['mem_fraction_static', 'tensor_parallel_size', 'max_num_seqs'], not: ['gpu_memory_utilization', 'n_ubatch'], kv: 'fp8', notKv: 'q4_0' },
        trtllm: { has: ['free_gpu_memory_fraction'], not: ['gpu_memory_utilization', 'mem_fraction_static'], kv: 'fp8', notKv: 'q8_0' },
        'llama.cpp': { has: ['n_gpu_layers', 'n_ubatch', 'n_batch', 'flash_attn', 'kv_unified', 'swa_full'], not: ['gpu_memory_utilization', 'block_size'], kv: 'q4_0', notKv: 'fp8' },
        ollama: { has: ['n_gpu_layers', 'flash_attn'], not: ['max_num_seqs'], kv: 'q8_0', notKv: 'fp8' },
        transformers: { has: [], not: ['gpu_memory_utilization', 'n_gpu_layers'], kv: 'bf16', notKv: 'q8_0' },
        mlx: { has: [], not: ['gpu_memory_utilization', 'n_gpu_layers'], kv: 'fp16', notKv: 'fp8' },
      };
      for (const [runtime, e] of Object.entries(expectations)) {
        // MLX runs on Apple chips only: its menus are checked on one.
        if (runtime === 'mlx') await select(page, 'gpu-select', 'm4-max-64gb');
        await select(page, 'runtime-select', runtime);
        const shownKnobs = await knobs(page);
        for (const k of e.has) assert.ok(shownKnobs.includes(k), `${runtime} shows ${k}`);
        for (const k of e.not) assert.ok(!shownKnobs.includes(k), `${runtime} hides ${k}`);
        const kv = await page.$$eval('[data-testid="kv-dtype-select"] option', (os) => os.map((o) => o.value));
        assert.ok(kv.includes(e.kv) && !kv.includes(e.notKv), `${runtime} KV types: ${kv}`);
        // Empty knobs show the engine's default and send nothing.
        const s = await shown(page);
        assert.equal(s.request.engine, undefined);
        if (runtime === 'llama.cpp') assert.equal(await page.getAttribute('[data-knob="n_ubatch"]', 'placeholder'), '512');
        if (runtime === 'vllm') assert.equal(await page.getAttribute('[data-knob="gpu_memory_utilization"]', 'placeholder'), '0.9');
        // Weights offered: GGUF file types for llama.cpp and Ollama, MLX conversions for MLX, the model's own otherwise.
        const weights = await page.$$eval('[data-testid="weights-select"] option', (os) => os.map((o) => o.value).filter(Boolean));
        if (runtime === 'llama.cpp' || runtime === 'ollama') assert.ok(weights.every((w) => w.startsWith('gguf:')) && weights.includes('gguf:Q6_K'), weights.join());
        else if (runtime === 'mlx') assert.ok(weights.includes('mlx-4bit') && weights.every((w) => /^(mlx-|bf16|fp16)/.test(w)), weights.join());
        else assert.ok(weights.length > 0 && weights.every((w) => !w.startsWith('gguf:') && !w.startsWith('mlx-')), weights.join());
        await assertMatchesCli(page, runtime);
      }
    });
  });

  test('the GPU table is the CLI\'s compare, sortable, and picks a GPU', async () => {
    await withPage(`${server.url}?model=qwen3-32b&context=16384&concurrency=2`, DESKTOP, async (page) => {
      const s = await shown(page);
      const base = { ...s.request };
      delete base.gpu;
      const expected = cli('compare', base).gpus;
      const rows = await page.$$eval('[data-testid="gpu-table"] tbody tr', (trs) => trs.map((tr) => ({
        gpu: tr.getAttribute('data-gpu'),
        status: tr.querySelector('.badge').className.replace(/.*badge-/, ''),
      })));
      assert.equal(rows.length, expected.length);
      const byId = Object.fromEntries(expected.map((r) => [r.gpu, r]));
      for (const row of rows) {
        const e = byId[row.gpu];
        assert.ok(e, row.gpu);
        assert.equal(row.status, e.error ? 'error' : e.verdict, row.gpu);
      }
      // Default order: fitting GPUs first, smallest memory first.
      const firstFit = expected.filter((r) => !r.error && r.verdict === 'fits')
        .sort((a, b) => a.memory_bytes - b.memory_bytes || a.name.localeCompare(b.name))[0];
      assert.equal(rows[0].gpu, firstFit.gpu);

      await page.click('[data-testid="gpu-table"] button[data-sort="headroom"]');
      assert.equal(await page.getAttribute('[data-testid="gpu-table"] th:has(button[data-sort="headroom"])', 'aria-sort'), 'descending');
      const order = await page.$$eval('[data-testid="gpu-table"] tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-gpu')));
      const headrooms = order.map((id) => byId[id].headroom_bytes ?? -Infinity);
      assert.deepEqual(headrooms, [...headrooms].sort((a, b) => b - a));

      await page.check('#gpu-table-fits');
      const fitting = await page.$$eval('[data-testid="gpu-table"] tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-gpu')));
      assert.equal(fitting.length, expected.filter((r) => r.fits && !r.error).length);

      await page.click(`[data-testid="gpu-table"] tr[data-gpu="${fitting[fitting.length - 1]}"] button.link`);
      await settled(page);
      assert.equal(await page.inputValue('[data-testid="gpu-select"]'), fitting[fitting.length - 1]);
      await assertMatchesCli(page, 'picked from the table');
      assert.equal(await page.getAttribute(`[data-testid="gpu-table"] tr[data-gpu="${fitting[fitting.length - 1]}"]`, 'aria-current'), 'true');
    });
  });

  test('the chart shows the CLI\'s memory at each context length, and the quantization table picks a checkpoint', async () => {
    await withPage(`${server.url}?model=llama-3.1-8b&runtime=llama.cpp&gpu=rtx-3060-12gb&concurrency=2`, DESKTOP, async (page) => {
      const s = await shown(page);
      const points = await page.$$eval('#chart-table tbody tr', (trs) => trs.map((tr) => [Number(tr.cells[0].textContent.replace(/,/g, '')), tr.cells[1].textContent]));
      assert.ok(points.length >= 5, `${points.length} chart points`);
      assert.equal(await page.locator('[data-testid="context-chart"] svg circle.chart-dot').count(), points.length);
      assert.equal(await page.locator('[data-testid="context-chart"] svg .chart-capacity').count(), 1);
      for (const [context, text] of [points[0], points[points.length - 1]]) {
        const r = cli('estimate', { ...s.request, context });
        const bytes = Math.max(...r.devices.map((d) => d.required_bytes));
        assert.equal(text, gib(bytes).replace(' GiB', ''), `context ${context}`);
      }

      const q = cli('quantizations', s.request);
      const options = await page.$$eval('[data-testid="quant-table"] tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-weights')));
      assert.deepEqual(options, q.options.map((o) => o.weights));
      await page.click('[data-testid="quant-table"] tr[data-weights="gguf:Q6_K"] button.link');
      await settled(page);
      assert.equal(await page.inputValue('[data-testid="weights-select"]'), 'gguf:Q6_K');
      await assertMatchesCli(page, 'picked from the quantization table');
    });
  });

  test('the speed chart is the CLI\'s speed at each concurrency, with the asked one marked and the KV limit drawn', async () => {
    await withPage(`${server.url}?model=llama-3.1-8b&runtime=vllm&gpu=h100-sxm-80gb&context=32768&concurrency=4`, DESKTOP, async (page) => {
      const s = await shown(page);
      const r = cli('estimate', s.request);
      const pts = r.speed.by_concurrency;
      const rows = await page.$$eval('[data-testid="speed-table"] tbody tr', (trs) => trs.map((tr) => ({
        cells: [...tr.cells].map((td) => td.textContent), current: tr.getAttribute('aria-current') === 'true' })));
      assert.equal(rows.length, pts.length, 'one row per point');
      const rate = (v) => v.toLocaleString('en-US', { minimumFractionDigits: v >= 100 ? 0 : 1, maximumFractionDigits: v >= 100 ? 0 : 1 });
      pts.forEach((p, i) => {
        assert.equal(Number(rows[i].cells[0].replace(/,/g, '')), p.concurrency);
        assert.equal(Number(rows[i].cells[1].replace(/,/g, '')), p.running);
        assert.equal(rows[i].cells[2], rate(p.decode_tokens_per_s), `per request at ${p.concurrency}`);
        assert.equal(rows[i].cells[3], rate(p.total_decode_tokens_per_s), `total at ${p.concurrency}`);
        assert.equal(rows[i].current, p.concurrency === 4, `marked at ${p.concurrency}`);
      });
      // Two lines of dots (per request and total), the asked point, and the KV pool's limit inside the range.
      assert.equal(await page.locator('[data-testid="speed-chart"] svg circle.chart-dot').count(), 2 * pts.length);
      assert.equal(await page.locator('[data-testid="speed-chart"] svg circle.chart-current').count(), 1);
      const pool = Math.floor(r.kv_cache.max_concurrency);
      assert.ok(pool > 4, `the pool holds ${pool} requests of 32K`);
      assert.equal(pts[pts.length - 1].concurrency, pool, 'the curve stops where the KV cache is full');
      const caption = await page.textContent('#speed-chart-caption');
      assert.match(caption, new RegExp(`holds ${pool.toLocaleString('en-US')} request`));
      // The verdict card's figures are the same estimate's.
      const facts = await page.textContent('[data-testid="facts"]').catch(() => page.textContent('#facts'));
      assert.match(facts, new RegExp(`${rate(r.speed.decode_tokens_per_s)} tokens/s per request`));
      assert.match(facts, new RegExp(`${rate(r.speed.total_decode_tokens_per_s)} tokens/s`));
      assert.match(facts, /System RAM needed/);
    });
  });

  test('GiB and GB: every figure follows the switch and says its unit', async () => {
    await withPage(`${server.url}?model=qwen3-8b&gpu=l4`, DESKTOP, async (page) => {
      const s = await shown(page);
      await page.click('label[for="unit-gb"]');
      const text = await page.textContent('[data-testid="required-memory"]');
      assert.equal(text, gb(s.required));
      assert.equal(await page.textContent('#breakdown-unit'), 'GB');
      assert.match(page.url(), /[?&]unit=gb(&|$)/);
      const figures = await page.$$eval('.figure', (ns) => ns.map((n) => n.textContent));
      assert.ok(figures.slice(0, 2).every((f) => / GB$/.test(f)), figures.join(' | '));
      // The breakdown's substituted formulas are rewritten in decimal units too: no binary unit anywhere.
      await settled(page);
      const formulas = await page.$$eval('code.substituted', (ns) => ns.map((n) => n.textContent));
      assert.ok(formulas.some((f) => / [GM]B\b/.test(f)), formulas.join(' | '));
      assert.ok(formulas.every((f) => !/[KMG]iB/.test(f)), formulas.join(' | '));
      await page.click('label[for="unit-gib"]');
      assert.equal(await page.textContent('[data-testid="required-memory"]'), gib(s.required));
    });
  });
});

describe('links', () => {
  test('the whole state round-trips through the address and the copy-link button', async () => {
    let href;
    let request;
    const context = await browser.newContext({ ...DESKTOP, permissions: ['clipboard-read', 'clipboard-write'] });
    try {
      const page = await context.newPage();
      await page.goto(server.url);
      await settled(page);
      await select(page, 'model-select', 'qwen3-30b-a3b');
      await select(page, 'runtime-select', 'llama.cpp');
      await select(page, 'weights-select', 'gguf:Q5_K_M');
      await select(page, 'gpu-select', 'rtx-3060-12gb');
      await fill(page, '[data-testid="gpu-count"]', 2);
      await fill(page, '[data-testid="context-input"]', 16384);
      await fill(page, '[data-testid="concurrency-input"]', 3);
      await select(page, 'kv-dtype-select', 'q8_0');
      await page.click('#advanced summary');
      await fill(page, '[data-knob="n_ubatch"]', 256);
      await page.selectOption('[data-knob="flash_attn"]', 'true');
      await settled(page);
      await page.selectOption('[data-knob="kv_unified"]', 'false');
      await settled(page);
      await fill(page, '[data-knob="tensor_split"]', '3, 1');
      await fill(page, '[data-testid="in-use"]', 700);
      await page.click('label[for="unit-gb"]');
      await assertMatchesCli(page, 'before the link');
      request = (await shown(page)).request;
      href = page.url();
      await page.click('[data-testid="copy-link"]');
      await page.waitForSelector('[data-testid="copy-link"][data-copied="true"]');
      assert.equal(await page.getAttribute('[data-testid="copy-link"]', 'data-link'), href);
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), href);
    } finally {
      await context.close();
    }
    assert.deepEqual(request.engine, { n_ubatch: 256, flash_attn: true, kv_unified: false, tensor_split: [3, 1] });
    assert.equal(request.units, 'decimal');
    assert.equal(request.gpu_memory_in_use_mib, 700);
    await withPage(href, DESKTOP, async (page) => {
      const s = await shown(page);
      assert.deepEqual(s.request, request);
      assert.equal(await page.inputValue('[data-testid="context-input"]'), '16384');
      assert.equal(await page.inputValue('[data-knob="n_ubatch"]'), '256');
      assert.equal(await page.inputValue('[data-knob="tensor_split"]'), '3,1');
      assert.equal(await page.inputValue('[data-testid="in-use"]'), '700');
      assert.equal(await page.isChecked('#unit-gb'), true);
      assert.match(s.requiredText, / GB$/);
      assert.equal(await page.isHidden('[data-testid="notices"]'), true);
    });
    // A custom device round-trips too.
    await withPage(`${server.url}?model=llama-3.1-8b&gpu=custom&memory_mib=40000&bandwidth_gbps=900&context=8192`, DESKTOP, async (page) => {
      const s = await assertMatchesCli(page, 'custom device link');
      assert.deepEqual(s.request.device, { name: 'Custom device', memory_mib: 40000, bandwidth_gbps: 900 });
      assert.equal(await page.isVisible('[data-testid="custom-memory"]'), true);
      assert.match(page.url(), /memory_mib=40000/);
    });
  });

  test('an empty or partly invalid address: every bad value is reported and replaced, the rest is kept', async () => {
    await withPage(server.url, DESKTOP, async (page) => {
      const s = await assertMatchesCli(page, 'empty address');
      // No runtime in the address: the GPU's (llama.cpp on a consumer card), and the address keeps it that way.
      assert.deepEqual(s.request, { model: 'llama-3.1-8b', runtime: 'llama.cpp', gpu: 'rtx-4090', gpu_count: 1, context: 4096, concurrency: 1, kv_cache_dtype: 'auto' });
      assert.equal(await page.isHidden('[data-testid="notices"]'), true);
      assert.doesNotMatch(page.url(), /runtime=/);
      // Picking a data-center card moves the runtime to vLLM; a runtime picked by hand then stays.
      await select(page, 'gpu-select', 'h100-sxm-80gb');
      assert.equal((await shown(page)).request.runtime, 'vllm');
      await select(page, 'runtime-select', 'sglang');
      await select(page, 'gpu-select', 'rtx-4090');
      assert.equal((await shown(page)).request.runtime, 'sglang');
      assert.match(page.url(), /runtime=sglang/);
    });
    const bad = '?model=no-such-model&gpu=rtx-3090&context=lots&concurrency=3&kv_cache_dtype=q4_0&gpu_memory_utilization=1.5&frobnicate=1&runtime=vllm';
    await withPage(server.url + bad, DESKTOP, async (page) => {
      const s = await assertMatchesCli(page, 'partly invalid address');
      assert.deepEqual(s.request, { model: 'llama-3.1-8b', runtime: 'vllm', gpu: 'rtx-3090', gpu_count: 1, context: 4096, concurrency: 3, kv_cache_dtype: 'auto' });
      const notices = await page.$$eval('[data-testid="notices"] li', (lis) => lis.map((li) => li.textContent));
      for (const word of ['no-such-model', 'lots', 'q4_0', 'gpu_memory_utilization', 'frobnicate']) {
        assert.ok(notices.some((n) => n.includes(word)), `a notice about ${word}: ${notices.join(' | ')}`);
      }
      // The address now says what is shown.
      assert.match(page.url(), /model=llama-3.1-8b/);
      assert.doesNotMatch(page.url(), /frobnicate|no-such-model/);
    });
    // Values only the estimator can reject (n_ubatch above n_batch) are reported with its message and dropped.
    await withPage(`${server.url}?runtime=llama.cpp&n_ubatch=4096&n_batch=1024&context=8192`, DESKTOP, async (page) => {
      const s = await assertMatchesCli(page, 'rejected knob');
      assert.deepEqual(s.request.engine, { n_batch: 1024 });
      const notices = await page.$$eval('[data-testid="notices"] li', (lis) => lis.map((li) => li.textContent));
      assert.ok(notices.some((n) => n.includes('engine.n_ubatch')), notices.join(' | '));
    });
  });

  test('a hostile address is shown as text and runs nothing', async () => {
    const payloads = {
      model: '<img src=x onerror="window.__pwned=1">',
      gpu: '<script>window.__pwned=2</script>',
      weights: '"><svg onload="window.__pwned=3">',
      context: '1<b>2</b>',
    };
    const query = new URLSearchParams(payloads).toString() + '&%3Cscript%3E=1';
    await withPage(`${server.url}?${query}`, DESKTOP, async (page, session) => {
      await assertMatchesCli(page, 'hostile address');
      assert.equal(await page.evaluate(() => window.__pwned), undefined);
      assert.equal(await page.locator('img[src="x"], svg[onload], #notices script, #notices b').count(), 0);
      const notices = await page.$$eval('[data-testid="notices"] li', (lis) => lis.map((li) => li.textContent).join('\n'));
      for (const p of Object.values(payloads)) assert.ok(notices.includes(p), `shown as text: ${p}`);
      assert.deepEqual(session.requests.filter((u) => !u.startsWith(server.url)), []);
      assert.ok(session.requests.every((u) => !/\/x$/.test(u)));
    });
  });
});

describe('anywhere static', () => {
  test('images per request are offered for vision models only and reach the estimator', async () => {
    await withPage(`${server.url}?model=gemma-3-27b&gpu=h100-sxm-80gb&images=2`, DESKTOP, async (page) => {
      assert.equal(await page.isVisible('[data-testid="images-input"]'), true);
      assert.equal((await shown(page)).request.images, 2);
      await assertMatchesCli(page, 'two images');
      await page.fill('[data-testid="images-input"]', '0');
      await settled(page);
      assert.equal((await shown(page)).request.images, undefined);
    });
    await withPage(`${server.url}?model=llama-3.1-8b&images=2`, DESKTOP, async (page) => {
      assert.equal(await page.isVisible('[data-testid="images-input"]'), false);
      assert.equal((await shown(page)).request.images, undefined);
    });
  });

  test('a pasted llama.cpp startup log is set beside the estimate, figure by figure, as the CLI does it', async () => {
    const url = `${server.url}?model=llama-3.1-8b&weights=gguf:Q4_K_M&runtime=llama.cpp&gpu=rtx-4090&context=2048&concurrency=4&flash_attn=false`;
    await withPage(url, DESKTOP, async (page) => {
      // The figures of calibration row L-1, in llama.cpp's own line format.
      const log = [
        'llm_load_tensors:   CPU_Mapped model buffer size =   281.81 MiB',
        'llm_load_tensors:        CUDA0 model buffer size =  4403.49 MiB',
        'llama_kv_cache:      CUDA0 KV buffer size =  1024.00 MiB',
        'llama_new_context_with_model:      CUDA0 compute buffer size =   560.00 MiB',
      ].join('\n');
      await page.click('#log-box summary');
      await page.fill('[data-testid="log-input"]', log);
      await page.click('[data-testid="log-check"]');
      await page.waitForSelector('[data-testid="log-table"]:not([hidden])');
      const rows = await page.$$eval('[data-testid="log-table"] tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-what'), tr.cells[4].textContent]));
      const s = await shown(page);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fitmygpu-log-'));
      fs.writeFileSync(path.join(dir, 'request.json'), JSON.stringify(s.request));
      fs.writeFileSync(path.join(dir, 'engine.log'), log);
      const run = spawnSync(CLI, ['check-log', path.join(dir, 'request.json'), path.join(dir, 'engine.log')], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const cliRows = JSON.parse(run.stdout).rows;
      assert.deepEqual(rows.map((r) => r[0]), cliRows.map((r) => r.what));
      const kv = rows.find((r) => r[0] === 'KV buffer');
      assert.equal(kv[1], '0.00%');
    });
  });

  test('a vLLM figure the estimate does not model reads unknown, with the reason, never as 0', async () => {
    // Calibration row V-5: Qwen3-0.6B on an H100, vLLM 0.11.0, which prints the capture net of released cache.
    const url = `${server.url}?model=qwen3-0.6b&weights=bf16&runtime=vllm&gpu=h100-sxm-80gb&context=16000&version=0.11.0`;
    await withPage(url, DESKTOP, async (page) => {
      const log = ['INFO Model loading took 1.12 GiB and 2.1 seconds', 'INFO Maximum concurrency for 16,000 tokens per request: 251.70x',
        'INFO Graph capturing finished in 4 secs, took 0.10 GiB'].join('\n');
      await page.click('#log-box summary');
      await page.fill('[data-testid="log-input"]', log);
      await page.click('[data-testid="log-check"]');
      await page.waitForSelector('[data-testid="log-table"]:not([hidden])');
      const rows = await page.$$eval('[data-testid="log-table"] tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
      const graphs = rows.find((r) => r[0] === 'CUDA graphs (capture)');
      assert.equal(graphs[3], 'unknown');
      assert.match(graphs[4], /0\.11-0\.18/);
      const concurrency = rows.find((r) => r[0] === 'maximum concurrency');
      assert.equal(concurrency[2], '251.70\u00d7');
      assert.match(concurrency[3], /^\d+\.\d\d\u00d7$/);
    });
  });

  test('the launch command matches the CLI, and a pasted command sets the form', async () => {
    const url = `${server.url}?model=llama-3.1-8b&runtime=vllm&gpu=h100-sxm-80gb&gpu_count=2&context=16384`;
    await withPage(url, DESKTOP, async (page) => {
      await page.click('#command-box summary');
      // The tools module writes it once the box is open.
      await page.waitForSelector('#command-box[data-command-ready="true"]');
      const shownCommand = await page.textContent('[data-testid="command-text"]');
      const s = await shown(page);
      assert.equal(shownCommand, cli('command', s.request).command);
      assert.match(shownCommand, /^vllm serve meta-llama\/Llama-3\.1-8B-Instruct/);
      assert.match(shownCommand, /--max-model-len 16384/);
      assert.match(shownCommand, /--tensor-parallel-size 2/);

      // A llama-server command as users write it: the form follows, the GPUs stay, the port is set aside.
      await page.fill('[data-testid="command-paste"]', 'llama-server -hf unsloth/Qwen3-8B-GGUF:Q8_0 -c 16384 -np 2 -ngl 99 --port 8080');
      await page.click('[data-testid="command-read"]');
      await page.waitForFunction(() => window.__fitmygpuRequest && window.__fitmygpuRequest.runtime === 'llama.cpp' && !document.documentElement.hasAttribute('data-busy'));
      const after = await shown(page);
      assert.equal(after.request.model, 'qwen3-8b');
      assert.equal(after.request.weights, 'gguf:Q8_0');
      assert.equal(after.request.context, 8192);
      assert.equal(after.request.concurrency, 2);
      assert.equal(after.request.gpu, 'h100-sxm-80gb');
      assert.equal(after.request.engine.n_gpu_layers, 99);
      const ignored = await page.textContent('[data-testid="command-ignored"]');
      assert.match(ignored, /--port 8080/);
      await assertMatchesCli(page, 'after a pasted command');

      // Text that is not a command gets a plain message, and the form stays as it was.
      await page.fill('[data-testid="command-paste"]', '<img src=x onerror=alert(1)>');
      await page.click('[data-testid="command-read"]');
      await page.waitForFunction(() => /not a launch command/.test(document.querySelector('[data-testid="command-status"]').textContent));
      assert.equal(await page.$('#command-status img'), null);
    });
  });

  test('opened from file:// (a saved page) it computes like the CLI and asks for nothing outside its folder', async () => {
    const url = pathToFileURL(path.join(SITE, 'index.html')).href + '?model=gemma-3-12b&runtime=ollama&gpu=rtx-4070&context=8192';
    await withPage(url, DESKTOP, async (page, session) => {
      await assertMatchesCli(page, 'file://');
      await select(page, 'model-select', 'mistral-7b-v0.3');
      await assertMatchesCli(page, 'file://, another model');
      const folder = pathToFileURL(SITE).href + '/';
      assert.deepEqual(session.requests.filter((u) => !u.startsWith(folder)), []);
    });
  });

  test('the single-file offline page works alone from disk under its own strict policy', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fitmygpu-offline-'));
    try {
      const file = path.join(dir, 'saved.html');
      fs.copyFileSync(path.join(SITE, 'fitmygpu-offline.html'), file);
      const html = fs.readFileSync(file, 'utf8');
      const policy = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)[1];
      assert.match(policy, /script-src 'sha256-[^']+'.* 'wasm-unsafe-eval'/);
      assert.doesNotMatch(policy, /'unsafe-inline'|'unsafe-eval'|'self'/);
      assert.doesNotMatch(html, /<script src=|<link rel="stylesheet"/);
      const url = pathToFileURL(file).href;
      await withPage(`${url}?model=phi-4&gpu=rtx-4080&context=16384`, DESKTOP, async (page, session) => {
        await assertMatchesCli(page, 'offline file');
        await select(page, 'runtime-select', 'llama.cpp');
        await assertMatchesCli(page, 'offline file, llama.cpp');
        // The tools module (reading a pasted command here) is in the file too.
        await page.click('#command-box summary');
        await page.fill('[data-testid="command-paste"]', 'vllm serve Qwen/Qwen3-8B --max-model-len 8192');
        await page.click('[data-testid="command-read"]');
        await page.waitForFunction(() => window.__fitmygpuRequest && window.__fitmygpuRequest.model === 'qwen3-8b' && !document.documentElement.hasAttribute('data-busy'));
        assert.equal((await shown(page)).request.context, 8192);
        assert.deepEqual([...new Set(session.requests.map((u) => u.split('?')[0]))], [url]);
        assert.equal(await page.locator('footer a[download]').count(), 0);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('usable', () => {
  test('by keyboard: search a model, pick it, sort the GPU table', async () => {
    await withPage(server.url, DESKTOP, async (page) => {
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link');
      await page.focus('#model-search');
      await page.keyboard.type('gpt-oss 120b');
      await page.keyboard.press('Enter');
      await settled(page);
      assert.equal(await page.evaluate(() => document.activeElement.id), 'model');
      assert.equal(await page.inputValue('[data-testid="model-select"]'), 'gpt-oss-120b');
      await assertMatchesCli(page, 'searched by keyboard');
      await page.keyboard.press('Escape');
      await page.focus('[data-testid="gpu-table"] button[data-sort="name"]');
      await page.keyboard.press('Enter');
      assert.equal(await page.getAttribute('[data-testid="gpu-table"] th:has(button[data-sort="name"])', 'aria-sort'), 'ascending');
      assert.equal(await page.evaluate(() => document.activeElement.getAttribute('data-sort')), 'name');
      // Every form control has a label.
      const unlabelled = await page.$$eval('select, input, textarea', (cs) => cs.filter((c) => !c.labels || c.labels.length === 0).map((c) => c.id || c.outerHTML));
      assert.deepEqual(unlabelled, []);
    });
  });

  test('screenshots at desktop and phone sizes, light and dark; nothing scrolls sideways on a phone', async () => {
    const url = `${server.url}?model=qwen3.5-35b-a3b&runtime=vllm&gpu=rtx-5090&context=32768&concurrency=4`;
    await withPage(url, DESKTOP, async (page) => {
      await page.screenshot({ path: path.join(ARTIFACTS, 'calculator-desktop.png'), fullPage: true });
    });
    await withPage(url, { ...DESKTOP, colorScheme: 'dark' }, async (page) => {
      await page.screenshot({ path: path.join(ARTIFACTS, 'calculator-desktop-dark.png'), fullPage: true });
    });
    await withPage(url, PHONE, async (page) => {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
      assert.ok(await page.isVisible('[data-testid="verdict"]'));
      await page.screenshot({ path: path.join(ARTIFACTS, 'calculator-phone.png'), fullPage: true });
    });
  });
});
