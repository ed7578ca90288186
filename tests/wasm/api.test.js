// The JS API of the shipped bundle, loaded with require() as a node user would.
'use strict';
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const { BUNDLE, GIB, ROOT, loadBundle } = require('./support.js');

const FitMyGPU = loadBundle();

const R1_70B_TP2 = {
  model: 'deepseek-r1-distill-llama-70b',
  weights: 'bf16',
  runtime: 'vllm',
  gpu: 'h100-sxm-80gb',
  gpu_count: 2,
  engine: { tensor_parallel_size: 2 },
};

function expectError(fn, code, field) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Error, 'a real Error');
    assert.ok(e instanceof FitMyGPU.Error, 'a FitMyGPU.Error');
    assert.equal(e.name, 'FitMyGPUError');
    assert.equal(e.code, code);
    assert.equal(e.field, field);
    assert.equal(typeof e.message, 'string');
    assert.ok(e.message.length > 0, 'a message for people');
    assert.ok(typeof e.stack === 'string' && e.stack.length > 0, 'a stack');
    return true;
  });
}

test('require() returns the factory with ready() and Error', () => {
  assert.equal(typeof FitMyGPU, 'function');
  assert.equal(typeof FitMyGPU.ready, 'function');
  assert.equal(typeof FitMyGPU.Error, 'function');
});

test('ready() is memoized: one promise, one API object', async () => {
  const first = FitMyGPU.ready();
  const second = FitMyGPU.ready();
  assert.equal(first, second);
  assert.ok(first instanceof Promise);
  const [a, b] = await Promise.all([first, second]);
  assert.equal(a, b);
  assert.equal(await FitMyGPU.ready(), a);
  assert.ok(Object.isFrozen(a));
  assert.match(a.version, /^\d+\.\d+\.\d+/);
});

test('models() and gpus() list the catalog', async () => {
  const api = await FitMyGPU.ready();
  const models = api.models();
  const gpus = api.gpus();
  assert.ok(Array.isArray(models) && models.length > 0, 'some models');
  assert.ok(Array.isArray(gpus) && gpus.length > 0, 'some GPUs');
  for (const m of models) assert.ok(typeof m.id === 'string' && typeof m.name === 'string', JSON.stringify(m));
  for (const g of gpus) assert.ok(typeof g.id === 'string' && typeof g.name === 'string', JSON.stringify(g));
  assert.ok(models.some((m) => m.id === R1_70B_TP2.model));
  assert.ok(gpus.some((g) => g.id === 'h100-sxm-80gb'));
  assert.ok(gpus.some((g) => g.id === 'rtx-4090'));
});

test('models({derived: false}) lists the same models with their published counts, without working out every config', async () => {
  const api = await FitMyGPU.ready();
  const full = api.models();
  const plain = api.models({ derived: false });
  assert.deepEqual(plain.map((m) => m.id), full.map((m) => m.id));
  for (const m of plain) assert.ok(!('params_total' in m) && !('params_active' in m), m.id);
  const byId = Object.fromEntries(plain.map((m) => [m.id, m]));
  // catalog/models/qwen3-30b-a3b.json: the model card's rounded 30.5B in total and 3.3B activated.
  assert.deepEqual(byId['qwen3-30b-a3b'].published_params, { total: 30.5e9, active: 3.3e9 });
  // catalog/models/llama-3.1-8b.json, dense: a total only.
  assert.equal(byId['llama-3.1-8b'].published_params.total, 8030261248);
  assert.ok(!('active' in byId['llama-3.1-8b'].published_params));
  // The page tells a mixture of experts by its published active count: every model whose config makes one
  // (params_active in the full listing) has one, and no other model does.
  for (const m of full) assert.equal(Boolean(byId[m.id].published_params.active), 'params_active' in m, m.id);
  assert.throws(() => api.models({ derived: 'no' }), (e) => e.code === 'invalid_field' && e.field === 'derived');
  assert.throws(() => api.models({ fields: ['id'] }), (e) => e.code === 'unknown_field' && e.field === 'fields');
});

test('DeepSeek-R1-Distill-Llama-70B in BF16 on two H100s with vLLM TP 2', async () => {
  const api = await FitMyGPU.ready();
  const r = api.estimate(R1_70B_TP2);

  // KV cache per token, whole model: layers × (K and V) × KV heads × head dim × bytes per BF16 element
  //   = 80 × 2 × 8 × 128 × 2 B = 327,680 B  (config.json: 80 layers, 8 KV heads, 8192 / 64 = 128 head dim)
  assert.equal(r.kv_cache.bytes_per_token, 80 * 2 * 8 * 128 * 2);
  assert.equal(r.kv_cache.bytes_per_token, 327680);

  // Weights per device: 70,553,706,496 parameters × 2 B (BF16) / 2 ranks = 70.55 GB = 65.71 GiB. The
  // estimator may add a few replicated tensors (norms), so allow 0.05 GiB.
  assert.equal(r.devices.length, 2);
  const expectedGiB = (70553706496 * 2) / 2 / GIB;
  assert.ok(Math.abs(expectedGiB - 65.71) < 0.005, `hand calculation: ${expectedGiB}`);
  for (const d of r.devices) {
    const weightsGiB = d.components.weights / GIB;
    assert.ok(Math.abs(weightsGiB - expectedGiB) < 0.05, `${d.id}: weights ${weightsGiB.toFixed(3)} GiB`);
    assert.equal(d.required_bytes > 0, true);
    assert.equal(typeof d.headroom_bytes, 'number');
  }
  assert.ok(['fits', 'tight', 'does_not_fit'].includes(r.verdict));
  assert.equal(r.fits, r.verdict !== 'does_not_fit');
  assert.ok(r.breakdown.length > 0);
  for (const b of r.breakdown) {
    for (const k of ['component', 'label', 'formula', 'substituted']) assert.equal(typeof b[k], 'string', k);
    assert.ok(Number.isInteger(b.bytes) && Number.isInteger(b.device));
  }
});

test('one RTX 4090 does not fit the 70B model in BF16', async () => {
  const api = await FitMyGPU.ready();
  const r = api.estimate({ model: R1_70B_TP2.model, weights: 'bf16', runtime: 'vllm', gpu: 'rtx-4090', gpu_count: 1 });
  assert.equal(r.verdict, 'does_not_fit');
  assert.equal(r.fits, false);
  assert.ok(r.devices[0].headroom_bytes < 0);
});

test('estimate() takes JSON text as well as an object', async () => {
  const api = await FitMyGPU.ready();
  assert.deepEqual(api.estimate(JSON.stringify(R1_70B_TP2)), api.estimate(R1_70B_TP2));
});

test('malformed JSON text throws invalid_json, through the facade and as data through call()', async () => {
  const api = await FitMyGPU.ready();
  expectError(() => api.estimate('{"model": "llama-3.1-8b", '), 'invalid_json', '');
  const raw = JSON.parse(api.call('estimate', '{"model": '));
  assert.equal(raw.error.code, 'invalid_json');
  assert.equal(raw.error.field, '');
});

test('an unknown model id throws unknown_model on field "model"', async () => {
  const api = await FitMyGPU.ready();
  expectError(() => api.estimate({ model: 'no-such-model-7b', gpu: 'rtx-4090' }), 'unknown_model', 'model');
  expectError(() => api.model('no-such-model-7b'), 'unknown_model', 'model');
});

test('context -5 throws invalid_field on field "context"', async () => {
  const api = await FitMyGPU.ready();
  expectError(() => api.estimate({ model: 'llama-3.1-8b', context: -5 }), 'invalid_field', 'context');
});

test('gpu_memory_utilization 1.7 throws invalid_field on "engine.gpu_memory_utilization"', async () => {
  const api = await FitMyGPU.ready();
  expectError(
    () => api.estimate({ model: 'llama-3.1-8b', runtime: 'vllm', engine: { gpu_memory_utilization: 1.7 } }),
    'invalid_field',
    'engine.gpu_memory_utilization',
  );
});

test('unknown request fields and unknown methods are errors, not ignored', async () => {
  const api = await FitMyGPU.ready();
  expectError(() => api.estimate({ model: 'llama-3.1-8b', contxt: 4096 }), 'unknown_field', 'contxt');
  expectError(() => api.request('no-such-method', {}), 'unknown_method', 'method');
});

test('search(), model() and compare() answer from the catalog', async () => {
  const api = await FitMyGPU.ready();
  const ids = api.search('llama 70b');
  assert.ok(Array.isArray(ids) && ids.includes('deepseek-r1-distill-llama-70b'), ids.join(' '));
  assert.ok(api.search('4090', 'gpus').includes('rtx-4090'));
  expectError(() => api.search('x', 'cpus'), 'invalid_field', 'kind');

  const m = api.model('deepseek-r1-distill-llama-70b');
  assert.equal(m.id, 'deepseek-r1-distill-llama-70b');
  assert.equal(m.derived.layers, 80);
  assert.equal(m.derived.kv_heads, 8);
  assert.equal(m.derived.head_dim, 128);

  // vLLM runs on NVIDIA, AMD and Intel devices (its registry entry): Apple chips are left out of the table.
  const rows = api.compare({ model: 'llama-3.1-8b', runtime: 'vllm', context: 4096 }).gpus;
  assert.equal(rows.length, api.gpus().filter((g) => g.vendor !== 'Apple').length);
  assert.ok(rows.every((row) => row.runtime === 'vllm'));
  assert.ok(rows.find((row) => row.gpu === 'h100-sxm-80gb').fits);
});

test('every API method is declared in fitmygpu.d.ts, and nothing more', async () => {
  const api = await FitMyGPU.ready();
  const dts = fs.readFileSync(path.join(ROOT, 'wasm', 'fitmygpu.d.ts'), 'utf8');
  const body = dts.slice(dts.indexOf('interface Api {'), dts.indexOf('\n  }', dts.indexOf('interface Api {')));
  const declared = [...body.matchAll(/^ {4}(?:readonly )?([a-z]\w*)[(:]/gm)].map((m) => m[1]).sort();
  assert.deepEqual(declared, Object.keys(api).sort());
});

test('the bundle runs where code generation from strings is forbidden (CSP without unsafe-eval)', () => {
  const script = `require(${JSON.stringify(BUNDLE)}).ready()
    .then((api) => { process.stdout.write(api.estimate({ model: 'llama-3.1-8b', gpu: 'rtx-4090' }).verdict); })
    .catch((e) => { console.error(e); process.exit(1); });`;
  const run = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '-e', script], { encoding: 'utf8', timeout: 60000 });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^(fits|tight|does_not_fit)$/);
});

test('loading the bundle installs no process-wide handlers in node', () => {
  const script = `const before = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
    require(${JSON.stringify(BUNDLE)}).ready().then(() => {
      const after = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
      process.stdout.write(JSON.stringify([before, after]));
    });`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60000 });
  assert.equal(run.status, 0, run.stderr);
  const [before, after] = JSON.parse(run.stdout);
  assert.deepEqual(after, before);
});

test('parseLog() and checkLog() read an engine log and give the same rows as the CLI', async () => {
  const FitMyGPU = loadBundle();
  const api = await FitMyGPU.tools();
  // vLLM 0.11 startup lines with the figures of calibration row V-4 (Llama-3.1-8B BF16 on an H100).
  const log = 'INFO Model loading took 14.9888 GiB and 4.1 seconds\n' +
    'INFO Available KV cache memory: 51.38 GiB\n' +
    'INFO GPU KV cache size: 420,905 tokens\n' +
    'INFO Maximum concurrency for 16,000 tokens per request: 26.31x\n';
  const parsed = api.parseLog(log);
  assert.equal(parsed.engine, 'vllm');
  assert.equal(parsed.kv_tokens, 420905);
  assert.equal(parsed.max_model_len, 16000);
  const request = { model: 'llama-3.1-8b', weights: 'bf16', gpu: 'h100-sxm-80gb', context: 16000, engine: { version: '0.11.0' } };
  const rows = api.checkLog(request, log).rows;
  assert.deepEqual(rows.map((r) => r.what), ['weights', 'KV cache pool', 'KV cache tokens', 'maximum concurrency']);
  assert.equal(rows[3].logged, 26.31);
  for (const r of rows) assert.ok(Math.abs(r.error_pct) < 1, `${r.what}: ${r.error_pct}%`);
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'fitmygpu-log-'));
  fs.writeFileSync(path.join(dir, 'request.json'), JSON.stringify(request));
  fs.writeFileSync(path.join(dir, 'vllm.log'), log);
  const cli = spawnSync(path.join(ROOT, 'build', 'native', 'fitmygpu'), ['check-log', path.join(dir, 'request.json'), path.join(dir, 'vllm.log')], { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  assert.deepEqual(JSON.parse(cli.stdout).rows, rows);
  assert.throws(() => api.checkLog(request, 'nothing here'), (e) => e instanceof Error && e.field === 'log');
});

test('plan() weighs every catalog model on the hardware, each row as estimate() says it', async () => {
  const api = await FitMyGPU.tools();
  const hardware = { gpu: 'rtx-3090', gpu_count: 2, runtime: 'llama.cpp', context: 32768 };
  const p = api.plan(hardware);
  assert.ok(p.rows.length > 100, `${p.rows.length} rows`);
  assert.deepEqual(p.runtimes, ['llama.cpp']);
  // Every published GGUF checkpoint of the catalog, once each: llama.cpp loads GGUF files only.
  const published = new Set();
  for (const m of api.models()) for (const f of m.formats || []) if (f.startsWith('gguf:')) published.add(`${m.id} ${f}`);
  assert.deepEqual(new Set(p.rows.map((r) => `${r.model} ${r.weights}`)), published);
  for (const r of p.rows.filter((_, i) => i % 40 === 0)) {
    const e = api.estimate({ ...hardware, model: r.model, weights: r.weights });
    assert.equal(r.verdict, e.verdict, `${r.model} ${r.weights}`);
    assert.equal(r.max_context, e.limits.max_context, `${r.model} ${r.weights}`);
    assert.equal(r.max_concurrency, e.limits.max_concurrency, `${r.model} ${r.weights}`);
  }
  expectError(() => api.plan({ ...hardware, model: 'llama-3.1-8b' }), 'invalid_field', 'model');
  expectError(() => api.plan({ gpu: 'm4-max-64gb', host: { gpu_wired_limit_mib: 70000 } }), 'invalid_field', 'host.gpu_wired_limit_mib');
});

test('ready() answers the core methods; the tool methods come from tools(), the full module beside it', async () => {
  const core = await FitMyGPU.ready();
  const tools = await FitMyGPU.tools();
  assert.notEqual(tools, core);
  assert.equal(await FitMyGPU.tools(), tools, 'loaded once');
  assert.equal(tools.version, core.version);
  // The core module leaves each tool method out, and says where it is.
  const asked = {
    plan: () => core.plan({ gpu: 'rtx-3090' }),
    parse_log: () => core.parseLog('INFO GPU KV cache size: 1,000 tokens'),
    check_log: () => core.checkLog({ model: 'qwen3-0.6b' }, 'INFO GPU KV cache size: 1,000 tokens'),
    from_command: () => core.fromCommand('vllm serve Qwen/Qwen3-8B'),
    inspect: () => core.inspect([{ name: 'config.json', text: '{}' }]),
  };
  for (const [method, ask] of Object.entries(asked)) {
    expectError(ask, 'in_tools_module', 'method');
    assert.throws(ask, (e) => e.message.startsWith(method));
  }
  // The full module answers them, and the core methods exactly as the core module does.
  assert.equal(tools.fromCommand('vllm serve Qwen/Qwen3-8B --max-model-len 8192').request.context, 8192);
  for (const req of [R1_70B_TP2, { model: 'qwen3-8b', runtime: 'llama.cpp', gpu: 'rtx-4090', context: 32768 }]) {
    assert.equal(tools.call('estimate', JSON.stringify(req)), core.call('estimate', JSON.stringify(req)));
  }
  assert.equal(tools.call('schema', '{}'), core.call('schema', '{}'));
  // Smaller by the tools' code: the point of the split.
  const size = (name) => fs.statSync(path.join(path.dirname(BUNDLE), name)).size;
  assert.ok(size('fitmygpu.wasm') < size('fitmygpu-tools.wasm'), `${size('fitmygpu.wasm')} vs ${size('fitmygpu-tools.wasm')}`);
});

test('the CLI\'s calls command answers one request per line, as the API does, and an error on the line of a bad one', async () => {
  const api = await FitMyGPU.ready();
  const estimate = { model: 'qwen3-8b', gpu: 'rtx-4090', runtime: 'vllm' };
  const input = [
    JSON.stringify({ method: 'estimate', request: estimate }),
    '',
    'not json',
    JSON.stringify({ request: {} }),
    JSON.stringify({ method: 'gpus', request: { ids: ['rtx-4090'] } }),
  ].join('\n');
  const run = spawnSync(path.join(ROOT, 'build', 'native', 'fitmygpu'), ['calls', '-'], { input, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 4, 'the blank line gets no answer');
  assert.deepEqual(lines[0], JSON.parse(api.call('estimate', JSON.stringify(estimate))));
  assert.equal(lines[1].error.code, 'invalid_json');
  assert.equal(lines[2].error.field, 'method');
  assert.match(lines[2].error.message, /^line 4: /);
  assert.deepEqual(lines[3].gpus.map((g) => g.id), ['rtx-4090']);
});
