// The wasm module embeds the catalog lean (scripts/lean-catalog): no text people read, and each model's config cut to
// the fields the estimator reads. The native CLI embeds the catalog files whole. For every catalog model, both must
// give the same answers: the model's derived geometry and parameter counts, an estimate on enough cards to hold it,
// and an estimate with speculative decoding from the model's own MTP layers (an error for a model without them,
// which must then be the same error).
'use strict';
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { before, describe, test } = require('node:test');
const { CLI, ROOT, loadBundle } = require('./support.js');

const CATALOG_IDS = fs
  .readdirSync(path.join(ROOT, 'catalog', 'models'))
  .filter((n) => n.endsWith('.json'))
  .map((n) => JSON.parse(fs.readFileSync(path.join(ROOT, 'catalog', 'models', n), 'utf8')).id)
  .sort();

// Config fields that never size a tensor or a cache (tokenizer ids, initializer, rotary base, library version).
const NEVER_READ = ['bos_token_id', 'eos_token_id', 'initializer_range', 'rope_theta', 'transformers_version'];

// The CLI's answer, as compact JSON text the way JSON.stringify writes it (the CLI indents its output).
function native(args, input) {
  const run = spawnSync(CLI, args, { input, encoding: 'utf8', timeout: 60000, maxBuffer: 64 << 20 });
  if (run.error) throw run.error;
  assert.ok(run.status === 0 || run.status === 2, `${args.join(' ')}: exit ${run.status}: ${run.stderr}`);
  return JSON.stringify(JSON.parse(run.stdout));
}
// The CLI's answers to many calls at once (fitmygpu calls: one {method, request} per line, an answer or an error on
// the line of each), parsed, one per call.
function nativeCalls(calls) {
  const run = spawnSync(CLI, ['calls', '-'], { input: calls.map((c) => JSON.stringify({ method: c.method, request: c.request })).join('\n'),
    encoding: 'utf8', timeout: 300000, maxBuffer: 256 << 20 });
  if (run.error) throw run.error;
  assert.equal(run.status, 0, run.stderr);
  const answers = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(answers.length, calls.length);
  return answers;
}
function wasm(api, method, request) {
  return JSON.stringify(JSON.parse(api.call(method, JSON.stringify(request))));
}

// True when every value in `lean` is in `full` at the same place: objects may lack keys, arrays keep every entry.
function within(lean, full) {
  if (Array.isArray(lean)) return Array.isArray(full) && lean.length === full.length && lean.every((v, i) => within(v, full[i]));
  if (lean && typeof lean === 'object') return !!full && typeof full === 'object' && !Array.isArray(full) && Object.keys(lean).every((k) => k in full && within(lean[k], full[k]));
  return Object.is(lean, full);
}

describe('the wasm module\'s lean catalog answers as the full one does', () => {
  let api;
  let big;
  before(async () => {
    assert.ok(fs.existsSync(CLI), `the native CLI is missing: ${CLI} (run scripts/build)`);
    api = await loadBundle().ready();
    // The data-centre GPU with the most memory, for the estimates below.
    big = api.gpus().filter((g) => g.class === 'datacenter').reduce((a, b) => ((b.memory_mib || 0) > (a.memory_mib || 0) ? b : a)).id;
  });

  test('the module lists every catalog model, and the CLI reads the full files', () => {
    assert.deepEqual(api.models({ derived: false }).map((m) => m.id).sort(), CATALOG_IDS);
    const full = JSON.parse(native(['model', 'llama-3.1-8b']));
    const lean = api.model('llama-3.1-8b');
    assert.equal(typeof full.page.summary, 'string', 'the CLI\'s record has its page text');
    assert.equal(lean.page, undefined, 'the module\'s record has none');
    // Neither changes a tensor or a cache: the module leaves them out.
    assert.equal(full.config.initializer_range, 0.02);
    assert.equal(full.config.rope_theta, 500000.0);
    assert.equal(lean.config.initializer_range, undefined);
    assert.equal(lean.config.rope_theta, undefined);
  });

  test('the GPU list and every GPU\'s estimate are the same from the lean GPU records as from the full ones', () => {
    const gpus = api.gpus();
    const calls = [{ method: 'gpus', request: {} },
      ...gpus.map((g) => ({ method: 'estimate', request: { model: 'llama-3.1-8b', gpu: g.id, quantization: 'Q4_K_M', runtime: 'llama.cpp' } }))];
    const answers = nativeCalls(calls);
    assert.ok(gpus.length >= 50 && gpus.some((g) => g.memory_marketed), `${gpus.length} GPUs listed`);
    calls.forEach((c, i) => assert.equal(JSON.stringify(JSON.parse(wasm(api, c.method, c.request))), JSON.stringify(answers[i]),
      `${c.method} ${JSON.stringify(c.request)}`));
  });

  // Every model's requests, asked of the module now and of the CLI in one run (fitmygpu calls: one request per line).
  function requestsOf(id, leanRecord) {
    // The fewest of the big cards (1, 2, 4 or 8) on which the module says it fits, else eight.
    const request = { model: id, gpu: big, gpu_count: 8 };
    if (/vision/.test(leanRecord.modality || '')) Object.assign(request, { images: 1, context: 16384 });  // room for the image's tokens
    for (const count of [1, 2, 4]) {
      const answer = JSON.parse(wasm(api, 'estimate', { ...request, gpu_count: count }));
      if (answer.verdict === 'fits') {
        request.gpu_count = count;
        break;
      }
    }
    const mtp = { ...request, runtime: 'vllm', engine: { speculative_model: 'mtp' } };
    return [['model', { model: id }], ['estimate', request], ['estimate', mtp]];
  }

  test('every catalog model: the same record figures, and the same estimates, from the lean catalog as from the full one', () => {
    const asked = [];
    for (const id of CATALOG_IDS) {
      const leanRecord = api.model(id);
      for (const config of [leanRecord.config, leanRecord.config.text_config || {}])
        for (const key of NEVER_READ) assert.ok(!(key in config), `${id}: the module's config has ${key}`);
      for (const [method, request] of requestsOf(id, leanRecord)) asked.push({ id, method, request, lean: method === 'model' ? leanRecord : null });
    }
    const answers = nativeCalls(asked);
    let estimates = 0;
    asked.forEach((a, i) => {
      const full = answers[i];
      const what = `${a.id}: ${a.method} ${JSON.stringify(a.request)}`;
      if (a.method === 'model') {
        assert.equal(JSON.stringify(a.lean.derived), JSON.stringify(full.derived), `${what}: derived geometry and parameter counts`);
        assert.ok(within(a.lean, full), `${what}: the module's record holds nothing the catalog file does not`);
        return;
      }
      assert.equal(JSON.stringify(JSON.parse(wasm(api, a.method, a.request))), JSON.stringify(full), what);
      if (!a.request.engine) {
        assert.ok(full.devices, `${what} gives an estimate`);
        estimates++;
      }
    });
    assert.equal(estimates, CATALOG_IDS.length);
  });
});
