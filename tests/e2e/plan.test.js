// The hardware-first page (plan.html) in Chromium: its rows are the estimator's plan for the hardware in the address,
// sorting and filters work, no model is called fitting beyond its window, a row's link opens the calculator with the
// same verdict, the setup travels between the calculator, the hardware page and the model pages, text from the
// address stays text, and the page works from file://.
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { after, before, describe, test } = require('node:test');
const { DESKTOP, openPage, startSite, stopSite } = require('./browser.js');

const ROOT = path.resolve(__dirname, '..', '..');
const SITE = path.join(ROOT, 'build', 'site');
const ARTIFACTS = path.join(ROOT, 'build', 'test-artifacts');
const DUAL_3090 = '?gpu=rtx-3090&gpu_count=2&runtime=llama.cpp&context=32768';

let browser;
let server;
let api;
let tools;  // plan() is a tool method: the full module's API (FitMyGPU.tools()), as the page asks it

before(async () => {
  ({ api, server, browser } = await startSite({ site: SITE, required: ['plan.html', 'plan.js', 'index.html', 'fitmygpu.js', 'fitmygpu-tools.js', 'models/index.html'],
    base: '/fitmygpu/', artifacts: ARTIFACTS, withApi: true }));
  tools = await require(path.join(SITE, 'fitmygpu.js')).tools();
});

after(() => stopSite({ browser, server }));

async function planReady(page) {
  await page.waitForSelector('html[data-ready="true"]', { timeout: 60000 });
}
async function calculatorReady(page) {
  await page.waitForSelector('html[data-ready="true"]:not([data-busy])', { timeout: 60000 });
}

async function withPage(url, ready, fn) {
  const session = await openPage(browser, url, DESKTOP, ready);
  try {
    await fn(session.page, session);
    assert.deepEqual(session.problems, [], 'no console errors or warnings, no page errors, no failed requests');
  } finally {
    await session.context.close();
  }
}

function rowsOf(page) {
  return page.$$eval('#plan-table tbody tr[data-model]', (trs) => trs.map((tr) => ({
    model: tr.getAttribute('data-model'), weights: tr.getAttribute('data-weights'), runtime: tr.getAttribute('data-runtime'),
    verdict: tr.getAttribute('data-verdict'), native: tr.getAttribute('data-native'), maxContext: Number(tr.getAttribute('data-max-context')),
    params: Number(tr.getAttribute('data-params')), name: tr.querySelector('th').textContent, href: tr.querySelector('a.row-link').getAttribute('href'),
  })));
}

// Waits until the table has been drawn from a new plan (data-plan counts the plans drawn).
async function nextPlan(page, before) {
  await page.waitForFunction((n) => Number(document.getElementById('plan-table').getAttribute('data-plan')) > n, before, { timeout: 60000 });
}
const plans = (page) => page.$eval('#plan-table', (t) => Number(t.getAttribute('data-plan')));

describe('the hardware-first page', () => {
  test('2 × RTX 3090 on llama.cpp at 32K: the estimator\u2019s rows, none fitting beyond its window', async () => {
    await withPage(server.url + 'plan.html' + DUAL_3090, planReady, async (page) => {
      const rows = await rowsOf(page);
      const expected = tools.plan({ gpu: 'rtx-3090', gpu_count: 2, runtime: 'llama.cpp', context: 32768 }).rows;
      assert.ok(rows.length > 50, `${rows.length} rows`);
      assert.equal(rows.length, expected.length);
      const key = (r) => `${r.model} ${r.weights} ${r.runtime}`;
      assert.deepEqual(new Set(rows.map(key)), new Set(expected.map(key)));
      for (const r of rows) {
        assert.equal(r.runtime, 'llama.cpp');
        assert.notEqual(r.native, '', `${key(r)}: every catalog model has a window`);
        if (r.native !== '' && Number(r.native) < 32768) assert.ok(r.verdict !== 'fits' && r.verdict !== 'tight', `${key(r)} fits beyond its window of ${r.native}`);
        if (r.native !== '') assert.ok(r.maxContext <= Number(r.native), `${key(r)}: max context ${r.maxContext} beyond ${r.native}`);
      }
      assert.ok(rows.some((r) => r.verdict === 'exceeds_context'), 'models with a shorter window are listed as beyond their context');
      assert.equal(await page.$eval('[data-testid="plan-gpu"]', (n) => n.value), 'rtx-3090');
      assert.equal(await page.$eval('[data-testid="plan-runtime"]', (n) => n.value), 'llama.cpp');
      const shot = path.join(ARTIFACTS, 'plan-desktop.png');
      await page.screenshot({ path: shot });
    });
  });

  test('clicking a column header sorts by it, and again reverses', async () => {
    await withPage(server.url + 'plan.html' + DUAL_3090, planReady, async (page) => {
      await page.click('button[data-sort="max_context"]');
      let rows = await rowsOf(page);
      for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].maxContext >= rows[i].maxContext, 'descending max context');
      assert.equal(await page.$eval('button[data-sort="max_context"]', (b) => b.parentElement.getAttribute('aria-sort')), 'descending');
      await page.click('button[data-sort="max_context"]');
      rows = await rowsOf(page);
      for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].maxContext <= rows[i].maxContext, 'ascending max context');
      await page.click('button[data-sort="params"]');
      rows = await rowsOf(page);
      for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].params >= rows[i].params, 'largest models first');
    });
  });

  test('filters: fits only, search, parameters, family', async () => {
    await withPage(server.url + 'plan.html' + DUAL_3090, planReady, async (page) => {
      const all = (await rowsOf(page)).length;
      await page.check('[data-testid="f-fits"]');
      let rows = await rowsOf(page);
      assert.ok(rows.length > 0 && rows.length < all);
      for (const r of rows) assert.ok(r.verdict === 'fits' || r.verdict === 'tight', r.verdict);
      await page.fill('[data-testid="f-text"]', 'qwen');
      await page.waitForFunction(() => [...document.querySelectorAll('#plan-table tbody th')].every((th) => /qwen/i.test(th.textContent)));
      await page.fill('[data-testid="f-text"]', '');
      await page.fill('[data-testid="f-max-params"]', '10');
      await page.waitForFunction(() => [...document.querySelectorAll('#plan-table tbody tr[data-model]')].every((tr) => Number(tr.getAttribute('data-params')) <= 10e9));
      const families = await page.$$eval('[data-testid="f-family"] option', (os) => os.map((o) => o.value).filter(Boolean));
      assert.ok(families.length > 3);
      await page.fill('[data-testid="f-max-params"]', '');
      await page.selectOption('[data-testid="f-family"]', families[0]);
      rows = await rowsOf(page);
      const expected = tools.plan({ gpu: 'rtx-3090', gpu_count: 2, runtime: 'llama.cpp', context: 32768 }).rows.filter((r) => r.family === families[0] && r.fits);
      assert.equal(rows.length, expected.length);
    });
  });

  test('a row\u2019s link opens the calculator with the same setup and the same verdict', async () => {
    await withPage(server.url + 'plan.html' + DUAL_3090, planReady, async (page) => {
      const rows = await rowsOf(page);
      const picks = [rows.find((r) => r.verdict === 'fits'), rows.find((r) => r.verdict === 'does_not_fit'), rows.find((r) => r.verdict === 'exceeds_context')].filter(Boolean);
      assert.equal(picks.length, 3);
      for (const row of picks) {
        await Promise.all([page.waitForNavigation(), page.click(`#plan-table tbody tr[data-model="${row.model}"][data-weights="${row.weights}"] a.row-link`)]);
        await calculatorReady(page);
        const verdict = await page.$eval('[data-testid="verdict"]', (n) => n.getAttribute('data-verdict'));
        assert.equal(verdict, row.verdict, `${row.model} ${row.weights}`);
        const q = new URL(page.url()).searchParams;
        assert.equal(q.get('model'), row.model);
        assert.equal(q.get('weights'), row.weights);
        assert.equal(q.get('gpu'), 'rtx-3090');
        assert.equal(q.get('gpu_count'), '2');
        assert.equal(q.get('context'), '32768');
        assert.equal(q.get('runtime'), 'llama.cpp');
        await page.goBack();
        await planReady(page);
      }
    });
  });

  test('it redraws as the inputs change, and keeps the setup in the address', async () => {
    await withPage(server.url + 'plan.html' + DUAL_3090, planReady, async (page) => {
      const n = await plans(page);
      await page.fill('[data-testid="plan-context"]', '8192');
      await nextPlan(page, n);
      const rows = await rowsOf(page);
      // Gemma 2 9B's window is 8,192 tokens (max_position_embeddings): at 8K it is no longer beyond it.
      assert.ok(rows.some((r) => r.model === 'gemma-2-9b' && r.verdict !== 'exceeds_context'));
      assert.equal(new URL(page.url()).searchParams.get('context'), '8192');
      const m = await plans(page);
      await page.selectOption('[data-testid="plan-gpu"]', 'm4-max-64gb');
      await nextPlan(page, m);
      assert.equal(await page.isVisible('[data-testid="plan-wired"]'), true, 'Apple chips show the wired-memory limit');
      const runtimes = await page.$$eval('[data-testid="plan-runtime"] option', (os) => os.map((o) => o.value));
      assert.ok(!runtimes.includes('vllm') && runtimes.includes('mlx'), runtimes.join(','));
    });
  });

  test('the setup travels: model page widget \u2192 calculator \u2192 hardware page \u2192 calculator', async () => {
    await withPage(server.url + 'models/qwen3-8b.html', null, async (page) => {
      await page.waitForSelector('[data-testid="nav-plan"]');
      // The widget's choices, as its attributes set them; the page's links follow its next estimate.
      await page.waitForFunction(() => /gpu=/.test(document.querySelector('[data-testid="open-calculator"]').getAttribute('href')), null, { timeout: 60000 });
      await page.evaluate(() => {
        const w = document.querySelector('fitmygpu-widget');
        w.setAttribute('gpu', 'rtx-3090');
        w.setAttribute('gpu-count', '2');
        w.setAttribute('runtime', 'llama.cpp');
        w.setAttribute('context', '32768');
      });
      await page.waitForFunction(() => /gpu=rtx-3090.*gpu_count=2.*context=32768/.test(document.querySelector('[data-testid="open-calculator"]').getAttribute('href')), null, { timeout: 60000 });
      assert.match(await page.$eval('[data-testid="nav-plan"]', (a) => a.getAttribute('href')), /plan\.html\?model=qwen3-8b&runtime=llama.cpp&gpu=rtx-3090&gpu_count=2&context=32768/);
      await Promise.all([page.waitForNavigation(), page.click('[data-testid="open-calculator"]')]);
      await calculatorReady(page);
      assert.equal(await page.$eval('[data-testid="gpu-select"]', (n) => n.value), 'rtx-3090');
      assert.equal(await page.$eval('[data-testid="runtime-select"]', (n) => n.value), 'llama.cpp');
      assert.equal(await page.$eval('[data-testid="context-input"]', (n) => n.value), '32768');
      await page.fill('[data-testid="concurrency-input"]', '2');
      await calculatorReady(page);
      await Promise.all([page.waitForNavigation(), page.click('[data-testid="nav-plan"]')]);
      await planReady(page);
      assert.equal(await page.$eval('[data-testid="plan-gpu"]', (n) => n.value), 'rtx-3090');
      assert.equal(await page.$eval('[data-testid="plan-count"]', (n) => n.value), '2');
      assert.equal(await page.$eval('[data-testid="plan-context"]', (n) => n.value), '32768');
      assert.equal(await page.$eval('[data-testid="plan-concurrency"]', (n) => n.value), '2');
      assert.equal(await page.$eval('[data-testid="plan-runtime"]', (n) => n.value), 'llama.cpp');
      assert.ok(await page.$('#plan-table tbody tr.selected[data-model="qwen3-8b"]'), 'the model the calculator showed is marked');
      await Promise.all([page.waitForNavigation(), page.click('[data-testid="nav-calculator"]')]);
      await calculatorReady(page);
      const q = new URL(page.url()).searchParams;
      assert.equal(q.get('model'), 'qwen3-8b');
      assert.equal(q.get('gpu'), 'rtx-3090');
      assert.equal(q.get('gpu_count'), '2');
      assert.equal(q.get('context'), '32768');
      assert.equal(q.get('concurrency'), '2');
      assert.equal(q.get('runtime'), 'llama.cpp');
    });
  });

  test('the model index and the calculator link to it', async () => {
    await withPage(server.url + 'models/index.html', null, async (page) => {
      assert.match(await page.$eval('[data-testid="nav-plan"]', (a) => a.getAttribute('href')), /^\.\.\/plan\.html$/);
    });
    await withPage(server.url, calculatorReady, async (page) => {
      assert.match(await page.$eval('[data-testid="nav-plan"]', (a) => a.getAttribute('href')), /^plan\.html\?.*gpu=/);
    });
  });

  test('Apple chips: the GPU wired limit is a field on both pages, defaulting to macOS\u2019s share', async () => {
    // M4 Max 64 GB: 65,536 MiB of unified memory, of which macOS lets the GPU wire 3/4 = 49,152 MiB (48.00 GiB) by
    // default; a limit of 57,344 MiB is 56.00 GiB.
    await withPage(server.url + 'plan.html?gpu=m4-max-64gb&context=8192', planReady, async (page) => {
      assert.equal(await page.isVisible('[data-testid="plan-wired"]'), true);
      assert.match(await page.$eval('[data-testid="plan-wired"]', (n) => n.placeholder), /49,152/);
      const budgets = await page.$$eval('#plan-table tbody td[data-label="Memory"]', (tds) => tds.map((td) => td.textContent));
      assert.ok(budgets.length > 0 && budgets.every((t) => / of 48\.00 GiB$/.test(t) || t === 'unknown'), budgets.slice(0, 3).join(' | '));
      const n = await plans(page);
      await page.fill('[data-testid="plan-wired"]', '57344');
      await nextPlan(page, n);
      const raised = await page.$$eval('#plan-table tbody td[data-label="Memory"]', (tds) => tds.map((td) => td.textContent));
      assert.ok(raised.every((t) => / of 56\.00 GiB$/.test(t) || t === 'unknown'), raised.slice(0, 3).join(' | '));
      assert.equal(new URL(page.url()).searchParams.get('gpu_wired_limit_mib'), '57344');
      const href = await page.$eval('#plan-table tbody a.row-link', (a) => a.getAttribute('href'));
      assert.match(href, /gpu_wired_limit_mib=57344/);
    });
    await withPage(server.url + '?model=qwen3-8b&gpu=m4-max-64gb&gpu_wired_limit_mib=57344', calculatorReady, async (page) => {
      assert.equal(await page.$eval('[data-testid="wired-limit"]', (n) => n.value), '57344');
      assert.match(await page.$eval('[data-testid="wired-hint"]', (n) => n.textContent), /49,152 MiB of 65,536 MiB/);
      assert.equal(await page.evaluate(() => window.__fitmygpuRequest.host.gpu_wired_limit_mib), 57344);
    });
    await withPage(server.url + '?model=qwen3-8b&gpu=m4-max-64gb&gpu_wired_limit_mib=70000', calculatorReady, async (page) => {
      // More than the chip's memory: the estimator refuses it by name, and the page goes back to macOS's default.
      assert.match(await page.$eval('#notice-list', (n) => n.textContent), /host\.gpu_wired_limit_mib/);
      assert.equal(await page.evaluate(() => (window.__fitmygpuRequest.host || {}).gpu_wired_limit_mib), undefined);
    });
  });

  test('the calculator\u2019s System RAM: empty is the estimate\u2019s stated default, a value becomes the request\u2019s host memory', async () => {
    // Llama 3.1 70B at Q4_K_M (about 40 GiB) with 40 of its 80 layers on one RTX 4090: about half of the file stays in
    // system RAM, under the desktop default of 64 GiB (two 32 GiB DIMMs) and over 16 GiB.
    const url = server.url + '?model=llama-3.1-70b&weights=gguf:Q4_K_M&runtime=llama.cpp&gpu=rtx-4090&n_gpu_layers=40';
    await withPage(url, calculatorReady, async (page) => {
      assert.equal(await page.isVisible('[data-testid="host-memory"]'), true);
      assert.equal(await page.$eval('[data-testid="host-memory"]', (n) => n.placeholder), '64');
      assert.match(await page.$eval('[data-testid="host-hint"]', (n) => n.textContent), /Empty: 64\.00 GiB/);
      const asked = await page.evaluate(() => window.__fitmygpuRequest);
      assert.equal(asked.host, undefined, 'an empty field leaves the default to the estimator');
      assert.equal(asked.engine.n_gpu_layers, 40);
      assert.equal(api.estimate(asked).fits, true);
      await page.fill('[data-testid="host-memory"]', '16');
      await page.waitForFunction(() => (window.__fitmygpuRequest.host || {}).memory_mib === 16 * 1024, null, { timeout: 60000 });
      await calculatorReady(page);
      const small = await page.evaluate(() => window.__fitmygpuRequest);
      const expected = api.estimate(small);
      assert.equal(expected.fits, false);
      assert.ok(expected.host.headroom_bytes < 0, 'short of system RAM');
      assert.equal(await page.$eval('#verdict', (n) => n.getAttribute('data-verdict')), expected.verdict);
      assert.match(await page.$eval('#facts', (n) => n.textContent), /System RAM needed[^]*of 16\.00 GiB/);
      assert.equal(new URL(page.url()).searchParams.get('host_memory_mib'), '16384');
    });
    // The field starts from the link, and a unified-memory chip has none: its memory is the system's.
    await withPage(url + '&host_memory_mib=16384', calculatorReady, async (page) => {
      assert.equal(await page.$eval('[data-testid="host-memory"]', (n) => n.value), '16');
    });
    await withPage(server.url + '?model=qwen3-8b&gpu=m4-max-64gb', calculatorReady, async (page) => {
      assert.equal(await page.isVisible('[data-testid="host-memory"]'), false);
    });
  });

  test('the calculator\u2019s checkpoint table gives each checkpoint\u2019s max context, never beyond the window', async () => {
    // Gemma 2 9B: max_position_embeddings 8192 in its config.json.
    await withPage(server.url + '?model=gemma-2-9b&gpu=rtx-3090&gpu_count=2&runtime=llama.cpp&context=4096', calculatorReady, async (page) => {
      const request = await page.evaluate(() => window.__fitmygpuRequest);
      const expected = api.quantizations(request).options;
      const shown = await page.$$eval('[data-testid="quant-table"] tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-weights'),
        tr.querySelector('td[data-max-context]').getAttribute('data-max-context')]));
      assert.deepEqual(shown, expected.map((o) => [o.weights, o.max_context === undefined ? '' : String(o.max_context)]));
      assert.ok(expected.some((o) => o.max_context === 8192));
      for (const o of expected) assert.ok(o.max_context === undefined || o.max_context <= 8192, o.weights);
    });
  });

  test('text from the address stays text', async () => {
    const hostile = encodeURIComponent('<img src=x onerror="window.__pwned=1">');
    await withPage(server.url + `plan.html?gpu=${hostile}&model=${hostile}&runtime=${hostile}`, planReady, async (page) => {
      assert.equal(await page.evaluate(() => window.__pwned), undefined);
      assert.equal(await page.$('#notices img'), null);
      assert.match(await page.$eval('#notice-list', (n) => n.textContent), /<img src=x/);
    });
  });

  test('from file:// it works and asks for nothing outside its folder', async () => {
    const url = pathToFileURL(path.join(SITE, 'plan.html')).href + DUAL_3090;
    await withPage(url, planReady, async (page, session) => {
      assert.ok((await rowsOf(page)).length > 50);
      for (const u of session.requests) assert.ok(u.startsWith(pathToFileURL(SITE).href), u);
    });
  });
});
