// The menus and knob controls of the built page and of the widget are the estimator's engine registry: for each
// runtime, the runtime menu, the checkpoint menu, the KV cache type menu, the knob controls (names, labels, ranges,
// placeholders) and the workload limits must be what api.schema() says, read in the page itself
// (FitMyGPU.ready().then(a => a.schema())) and compared with the DOM.
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');
const { after, before, describe, test } = require('node:test');
const { DESKTOP, openPage, startSite, stopSite } = require('./browser.js');

const ROOT = path.resolve(__dirname, '..', '..');
const SITE = process.env.FITMYGPU_SITE || path.join(ROOT, 'build', 'site');
const ARTIFACTS = path.join(ROOT, 'build', 'test-artifacts');
// A multimodal mixture-of-experts model: every knob of every runtime is shown for it.
const MODEL = 'gemma-4-26b-a4b';
// Checked in full; the page must follow the schema for the others too, so they are checked as well.
const REQUIRED = ['vllm', 'llama.cpp', 'mlx'];

let browser;
let server;

before(async () => {
  ({ server, browser } = await startSite({ site: SITE, required: ['index.html', path.join('models', `${MODEL}.html`)], base: '/schema/', artifacts: ARTIFACTS }));
});

after(() => stopSite({ browser, server }));

async function withPage(url, ready, fn) {
  const session = await openPage(browser, url, DESKTOP, (page) => page.waitForSelector(ready, { timeout: 20000 }));
  try {
    await fn(session.page);
    assert.deepEqual(session.problems, [], 'no console errors or warnings, no page errors, no failed requests');
  } finally {
    await session.context.close();
  }
}

// The schema and the engine defaults for the page's own request, asked of the estimator inside the page.
function askPage(page) {
  return page.evaluate(() => FitMyGPU.ready().then((a) => {
    const request = Object.assign({}, window.__fitmygpuRequest || {});
    delete request.engine;
    let defaults = {};
    try { defaults = a.defaults(request).engine; } catch (e) { defaults = {}; }
    const model = a.models().filter((m) => m.id === request.model)[0] || {};
    return { schema: a.schema(), defaults, model };
  }));
}

function valueText(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  return String(v);
}

// What an empty knob control shows: the default the estimator resolved for this setup (the schema's text for it
// when it is the setup-independent default that text describes), else the schema's default text or default.
function expectedDefault(knob, resolved) {
  if (resolved === undefined || resolved === null) return knob.default_text !== null ? knob.default_text : valueText(knob.default);
  if (knob.default_text && knob.default === resolved) return knob.default_text;
  return valueText(resolved);
}

function formatName(schema, id) {
  const f = schema.formats.find((x) => x.id === id);
  if (f) return f.name;
  return id.startsWith('gguf:') ? `GGUF ${id.slice(5)}` : id;
}

function family(schema, id) {
  const f = schema.formats.find((x) => x.id === id);
  return f ? f.family : id.startsWith('gguf:') ? 'gguf' : '';
}

function gpuFor(runtime) { return runtime.vendors.includes('nvidia') ? 'h100-sxm-80gb' : 'm4-max-128gb'; }

async function settled(page) {
  await page.waitForSelector('html[data-ready="true"]:not([data-busy])', { timeout: 20000 });
}

async function checkCalculator(page, runtimeId) {
  await settled(page);
  const { schema, defaults, model } = await askPage(page);
  const rt = schema.runtimes.find((r) => r.id === runtimeId);
  assert.ok(rt, `${runtimeId} is in the schema`);

  // The runtime menu: every runtime of the registry, by its name, in registry order.
  const runtimes = await page.$$eval('[data-testid="runtime-select"] option', (os) => os.map((o) => [o.value, o.textContent]));
  assert.deepEqual(runtimes, schema.runtimes.map((r) => [r.id, r.name]));
  assert.equal(await page.inputValue('[data-testid="runtime-select"]'), runtimeId);

  // The KV cache type menu: the runtime's types and labels.
  const kv = await page.$$eval('[data-testid="kv-dtype-select"] option', (os) => os.map((o) => [o.value, o.textContent]));
  assert.deepEqual(kv, rt.kv_cache_types.map((t) => [t.id, t.label]), `${runtimeId}: KV cache types`);

  // The checkpoint menu: the default checkpoint first, then only formats the runtime loads, by their schema names;
  // every GGUF file type for a GGUF runtime, every MLX conversion for MLX.
  const weights = await page.$$eval('[data-testid="weights-select"] option', (os) => os.map((o) => [o.value, o.textContent]));
  const [first, ...offered] = weights;
  const def = (rt.default_weights.find((d) => d.device_class === '*') || rt.default_weights[0]).weights;
  assert.equal(first[0], '');
  if (def === 'official') assert.match(first[1], /^Official checkpoint/, `${runtimeId}: ${first[1]}`);
  else assert.equal(first[1], `Default: ${formatName(schema, def)}`, `${runtimeId}: default checkpoint`);
  assert.ok(offered.length > 0, `${runtimeId}: some checkpoint offered`);
  for (const [id, text] of offered) {
    assert.ok(rt.formats.includes(id) || rt.loads.includes(family(schema, id)), `${runtimeId} loads ${id}`);
    assert.equal(text, formatName(schema, id), `${runtimeId}: the name of ${id}`);
    if (!rt.formats.includes(id)) assert.ok((model.formats || []).includes(id), `${runtimeId}: ${id} is published`);
  }
  const ids = offered.map((o) => o[0]);
  for (const f of rt.formats.filter((x) => ['gguf', 'mlx'].includes(family(schema, x)) && rt.loads.includes(family(schema, x)))) {
    assert.ok(ids.includes(f), `${runtimeId} offers ${f}`);
  }

  // The knob controls: the runtime's knobs in the schema's order and groups, with its labels, ranges and defaults.
  const controls = await page.$$eval('[data-knob]', (ns) => ns.map((n) => ({
    name: n.getAttribute('data-knob'),
    group: n.closest('#main-knobs') ? 'main' : 'advanced',
    tag: n.tagName,
    min: n.getAttribute('min'),
    max: n.getAttribute('max'),
    placeholder: n.getAttribute('placeholder'),
    firstOption: n.tagName === 'SELECT' ? n.options[0].textContent : null,
    label: document.querySelector(`label[for="${n.id}"]`).textContent.replace(/\s+/g, ' ').trim(),
    help: document.getElementById(n.getAttribute('aria-describedby')).textContent,
  })));
  assert.deepEqual(controls.map((c) => [c.name, c.group]), rt.knobs.map((k) => [k.name, k.group]), `${runtimeId}: knobs`);
  for (const k of rt.knobs) {
    const c = controls.find((x) => x.name === k.name);
    const what = `${runtimeId}.${k.name}`;
    assert.equal(c.label, `${k.label} ${k.name}`, `${what}: label`);
    assert.equal(c.help, k.help, `${what}: help`);
    if (k.type === 'int' || k.type === 'fraction') {
      assert.equal(c.min, String(k.min), `${what}: min`);
      assert.equal(c.max, String(k.max), `${what}: max`);
    }
    const shown = expectedDefault(k, defaults[k.name]);
    if (k.type === 'bool' || k.type === 'tristate') assert.equal(c.firstOption, `default (${shown})`, `${what}: default`);
    else if (k.type !== 'draft') assert.equal(c.placeholder, shown, `${what}: placeholder`);
  }

  // The workload fields take what the estimator takes.
  const limits = await page.evaluate(() => ['gpu-count', 'context', 'concurrency', 'images'].map((id) => document.getElementById(id).getAttribute('max')));
  assert.deepEqual(limits, [schema.limits.max_gpus, schema.limits.max_context, schema.limits.max_concurrency, schema.limits.max_images].map(String));

  // "Fewest cards" tries the runtime's card counts.
  const caption = await page.textContent('#gpu-table-caption');
  const counts = rt.card_counts;
  const spelled = counts.length > 1 ? `${counts.slice(0, -1).join(', ')} and ${counts[counts.length - 1]}` : String(counts[0]);
  assert.ok(caption.includes(`\u201cFewest cards\u201d tries ${spelled}.`), caption);
}

describe('the calculator\'s menus and knob controls are the schema\'s', () => {
  test('for each runtime (at least vLLM, llama.cpp and MLX)', async () => {
    const schema = await (async () => {
      let s = null;
      await withPage(server.url, 'html[data-ready="true"]', async (page) => { s = (await askPage(page)).schema; });
      return s;
    })();
    const ids = schema.runtimes.map((r) => r.id);
    for (const id of REQUIRED) assert.ok(ids.includes(id), `${id} is in the schema`);
    for (const id of ids) {
      const rt = schema.runtimes.find((r) => r.id === id);
      const url = `${server.url}?model=${MODEL}&runtime=${encodeURIComponent(id)}&gpu=${gpuFor(rt)}`;
      await withPage(url, 'html[data-ready="true"]', (page) => checkCalculator(page, id));
    }
  });

  test('switching runtimes in the page rebuilds the menus from the schema', async () => {
    await withPage(`${server.url}?model=${MODEL}&gpu=h100-sxm-80gb`, 'html[data-ready="true"]', async (page) => {
      const schema = await page.evaluate(() => FitMyGPU.ready().then((a) => a.schema()));
      for (const id of REQUIRED) {
        // Each runtime on a device it runs on (MLX: an Apple chip); picking the GPU first, as a user would.
        await page.selectOption('[data-testid="gpu-select"]', gpuFor(schema.runtimes.find((r) => r.id === id)));
        await settled(page);
        await page.selectOption('[data-testid="runtime-select"]', id);
        await checkCalculator(page, id);
      }
    });
  });
});

describe('the widget\'s menus are the schema\'s', () => {
  test('runtimes, formats per runtime, the default checkpoint and the card counts', async () => {
    await withPage(`${server.url}models/${MODEL}.html`, 'fitmygpu-widget [data-testid="widget-verdict"][data-verdict]', async (page) => {
      const { schema, model } = await page.evaluate(() => FitMyGPU.ready().then((a) => {
        const id = document.querySelector('fitmygpu-widget').getAttribute('model');
        return { schema: a.schema(), model: a.models().filter((m) => m.id === id)[0] };
      }));
      const runtimes = await page.$$eval('fitmygpu-widget select[data-control="runtime"] option', (os) => os.map((o) => [o.value, o.textContent]));
      assert.deepEqual(runtimes, schema.runtimes.map((r) => [r.id, r.name]));
      for (const id of REQUIRED) {
        const rt = schema.runtimes.find((r) => r.id === id);
        await page.evaluate(([runtime, gpu]) => new Promise((resolve) => {
          const w = document.querySelector('fitmygpu-widget');
          const done = () => resolve();
          w.addEventListener('fitmygpu-result', done, { once: true });
          w.addEventListener('fitmygpu-error', done, { once: true });
          w.removeAttribute('weights');
          w.setAttribute('gpu', gpu);
          w.setAttribute('runtime', runtime);
        }), [id, gpuFor(rt)]);
        const weights = await page.$$eval('fitmygpu-widget select[data-control="weights"] option', (os) => os.map((o) => [o.value, o.textContent]));
        const def = (rt.default_weights.find((d) => d.device_class === '*') || rt.default_weights[0]).weights;
        assert.deepEqual(weights[0], ['', def === 'official' ? 'Default (official checkpoint)' : `Default (${formatName(schema, def)})`], `${id}: default`);
        const offered = weights.slice(1).map((w) => w[0]);
        const published = (model.formats || []).filter((f) => rt.formats.includes(f) || rt.loads.includes(family(schema, f)));
        assert.deepEqual([...offered].sort(), [...new Set([...published, ...rt.formats])].sort(), `${id}: formats`);
        for (const [f, text] of weights.slice(1)) assert.equal(text, formatName(schema, f), `${id}: the name of ${f}`);
        const counts = await page.$$eval('fitmygpu-widget select[data-control="gpu-count"] option', (os) => os.map((o) => Number(o.value)));
        assert.deepEqual(counts, rt.card_counts, `${id}: card counts`);
      }
    });
  });
});
