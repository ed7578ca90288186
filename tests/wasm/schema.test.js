// api.schema(): the engine registry the page, the widget and the page generator build their menus from. It must
// describe every runtime completely, agree with the CLI, give the defaults api.defaults() applies, and give the
// ranges the request layer enforces.
'use strict';
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { before, test } = require('node:test');
const { CLI, loadBundle } = require('./support.js');

const FitMyGPU = loadBundle();
const RUNTIME_IDS = ['vllm', 'sglang', 'trtllm', 'llama.cpp', 'ollama', 'transformers', 'mlx'];
const KNOB_TYPES = ['fraction', 'int', 'bool', 'tristate', 'text', 'list', 'draft'];
// Two very different devices: a knob default that does not depend on the device is the same on both.
const DEVICES = { nvidia: ['rtx-3060-12gb', 'h100-sxm-80gb'], apple: ['m4-max-128gb', 'm4-max-128gb'] };

let api;
let schema;
before(async () => {
  api = await FitMyGPU.ready();
  schema = api.schema();
});

function devicesFor(runtime) { return runtime.vendors.includes('nvidia') ? DEVICES.nvidia : DEVICES.apple; }

function expectFieldError(request, field) {
  assert.throws(() => api.estimate(request), (e) => {
    assert.ok(e instanceof FitMyGPU.Error, `a FitMyGPU.Error for ${JSON.stringify(request.engine)}`);
    assert.equal(e.code, 'invalid_field', e.message);
    assert.equal(e.field, field, e.message);
    return true;
  }, `${JSON.stringify(request.engine)} on ${request.runtime} is rejected`);
}

test('schema() lists the seven runtimes, each with formats, KV cache types, knobs and card counts', () => {
  assert.deepEqual(schema.runtimes.map((r) => r.id), RUNTIME_IDS);
  assert.ok(RUNTIME_IDS.includes(schema.default_runtime));
  const formatIds = schema.formats.map((f) => f.id);
  for (const f of schema.formats) {
    assert.ok(f.name && ['safetensors', 'gguf', 'mlx'].includes(f.family), JSON.stringify(f));
  }
  assert.ok(schema.gguf_types.length > 0 && schema.gguf_types.every((t) => t.startsWith('gguf:')));
  for (const r of schema.runtimes) {
    assert.ok(r.name, r.id);
    assert.ok(r.loads.length > 0, `${r.id} loads some family`);
    assert.ok(r.formats.length > 0, `${r.id} loads some format`);
    for (const f of r.formats) assert.ok(formatIds.includes(f) || schema.gguf_types.includes(f), `${r.id}: ${f} is a known format`);
    assert.equal(r.kv_cache_types[0].id, 'auto', `${r.id}: auto first`);
    for (const t of r.kv_cache_types) assert.ok(t.id && t.label, `${r.id}: ${JSON.stringify(t)}`);
    assert.ok(Array.isArray(r.knobs), r.id);
    const names = new Set();
    for (const k of r.knobs) {
      assert.ok(!names.has(k.name), `${r.id}: ${k.name} once`);
      names.add(k.name);
      assert.ok(KNOB_TYPES.includes(k.type), `${r.id}.${k.name}: type ${k.type}`);
      assert.ok(k.label && k.help, `${r.id}.${k.name}: label and help`);
      assert.ok(['main', 'advanced'].includes(k.group), `${r.id}.${k.name}: group`);
      assert.ok(k.shown_for === null || ['moe', 'vision'].includes(k.shown_for), `${r.id}.${k.name}: shown_for`);
      if (k.type === 'int' || k.type === 'fraction') assert.ok(typeof k.min === 'number' && k.max > k.min, `${r.id}.${k.name}: a range`);
    }
    assert.ok(r.card_counts.length > 0 && r.card_counts[0] === 1, `${r.id}: card counts start at one card`);
    assert.deepEqual(r.card_counts, [...r.card_counts].sort((a, b) => a - b), `${r.id}: card counts ascending`);
    assert.ok(r.default_weights.length > 0, `${r.id}: a default checkpoint`);
    for (const d of r.default_weights) assert.ok(d.weights === 'official' || r.formats.includes(d.weights), `${r.id}: default ${d.weights} is one of its formats`);
    assert.ok(r.vendors.length > 0 && typeof r.verdict.rule === 'string', r.id);
  }
  for (const key of ['max_context', 'max_concurrency', 'max_gpus', 'max_images']) assert.ok(schema.limits[key] > 0, key);
});

test('schema() is the CLI\'s schema, and the same answer every time', () => {
  const run = spawnSync(CLI, ['schema'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), schema);
  assert.deepEqual(api.schema(), schema);
});

test('a knob\'s schema default is what api.defaults() applies, on any device', () => {
  let checked = 0;
  for (const r of schema.runtimes) {
    for (const gpu of devicesFor(r)) {
      const resolved = api.defaults({ model: 'llama-3.1-8b', runtime: r.id, gpu }).engine;
      for (const k of r.knobs) {
        if (k.default === null) continue;
        assert.deepEqual(resolved[k.name], k.default, `${r.id} on ${gpu}: ${k.name}`);
        checked += 1;
      }
    }
  }
  assert.ok(checked > 20, `${checked} defaults checked`);
});

test('api.estimate rejects a knob value outside its schema range, naming the knob', () => {
  let checked = 0;
  for (const r of schema.runtimes) {
    const base = { model: 'llama-3.1-8b', runtime: r.id, gpu: devicesFor(r)[1] };
    for (const k of r.knobs) {
      const field = `engine.${k.name}`;
      const bad = [];
      if (k.type === 'int') {
        bad.push(k.min - 1, k.max + 1);
        if (k.power_of_two) bad.push(3 * 2 ** Math.max(0, Math.floor(Math.log2(k.max)) - 2));
      } else if (k.type === 'fraction') {
        bad.push(k.min, -0.5, k.max + 0.25);
        if (k.max_exclusive) bad.push(k.max);
      } else if (k.type === 'list') {
        bad.push(Array.from({ length: k.max_items + 1 }, () => 1));
      }
      for (const value of bad) {
        expectFieldError({ ...base, engine: { [k.name]: value } }, field);
        checked += 1;
      }
    }
  }
  assert.ok(checked > 40, `${checked} out-of-range values checked`);
});

test('a value at the edge of a schema range is taken', () => {
  // The fraction knobs at their largest allowed value and just above 0, the block size at its largest power of two.
  for (const r of schema.runtimes) {
    const base = { model: 'llama-3.1-8b', runtime: r.id, gpu: devicesFor(r)[1] };
    for (const k of r.knobs.filter((x) => x.type === 'fraction')) {
      for (const value of [k.max_exclusive ? k.max - 0.01 : k.max, 0.05]) {
        const out = api.estimate({ ...base, engine: { [k.name]: value } });
        assert.ok(['fits', 'tight', 'does_not_fit'].includes(out.verdict), `${r.id}.${k.name} = ${value}`);
      }
    }
    const block = r.knobs.find((x) => x.name === 'block_size');
    if (block) assert.ok(api.estimate({ ...base, engine: { block_size: block.max } }).verdict, `${r.id} block_size ${block.max}`);
  }
});
