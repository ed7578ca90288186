// A failed call leaves the module as it was: 1,000 failing calls in a row (malformed JSON, nesting too deep, an
// unknown model, field errors, a size beyond 64 bits thrown from deep inside an engine, a bad log check, an unknown
// method) keep malloc's bytes in use and the heap's size where they were after a warm-up. Each error is a C++
// exception thrown and caught inside the module (wasm/CMakeLists.txt builds it with -fexceptions); a leak per
// exception or per error message would show here.
'use strict';
const assert = require('node:assert/strict');
const { before, test } = require('node:test');
const { loadBundle } = require('./support.js');

const FAILING = [
  ['estimate', '{"model": "llama-3.1-8b", '],
  ['estimate', '['.repeat(200) + ']'.repeat(200)],
  ['estimate', '{"model": "no-such-model-anywhere"}'],
  ['estimate', '{"model": "llama-3.1-8b", "context": -5}'],
  ['estimate', '{"model": "llama-3.1-8b", "engine": {"gpu_memory_utilization": 2}}'],
  ['estimate', '{"model": "llama-3.1-8b", "gpus": [{"gpu": "rtx-4090"}, {"gpu": "no-such-gpu"}]}'],
  ['estimate', '{"config": {"model_type": "llama", "hidden_size": 4096}}'],
  ['estimate', '{"model": "deepseek-v3", "runtime": "llama.cpp", "context": 16777216, "concurrency": 65536,' +
               ' "engine": {"flash_attn": false, "n_ubatch": 65536, "n_batch": 65536}}'],
  ['estimate', JSON.stringify({ model: 'x'.repeat(5000) })],
  ['compare', '{"model": "llama-3.1-8b", "runtime": "vllm", "engine": {"no_such_knob": 3}}'],
  ['quantizations', '{"model": "llama-3.1-8b", "runtime": "no-such-runtime"}'],
  ['check_log', '{"request": {"model": "qwen3-0.6b"}, "log": "nothing an engine prints"}'],
  ['no_such_method', '{}'],
];

let mod;
before(async () => {
  // A fresh instance of the raw module: the facade's memoized one may be shared with other tests.
  mod = await loadBundle()();
});

function failAll(rounds) {
  for (let i = 0; i < rounds; ++i) {
    const [method, text] = FAILING[i % FAILING.length];
    const response = JSON.parse(mod.call(method, text));
    assert.ok(response.error, `${method} ${text.slice(0, 60)} should fail`);
    assert.notEqual(response.error.code, 'internal_error', response.error.message);
  }
}

function succeed() {
  const ok = JSON.parse(mod.call('estimate', '{"model": "qwen3-0.6b", "gpu": "rtx-4090"}'));
  assert.ok(ok.verdict, JSON.stringify(ok).slice(0, 200));
}

test('1,000 failing calls leave the wasm heap where it was', () => {
  // Warm-up: the catalog and static tables are built on first use, and the heap grows to its working size.
  failAll(FAILING.length * 5);
  succeed();
  const inUse = mod.heap_bytes_in_use();
  const heapSize = mod.HEAP8.length;
  failAll(1000);
  assert.equal(mod.heap_bytes_in_use(), inUse, 'bytes in use after 1,000 failing calls');
  assert.equal(mod.HEAP8.length, heapSize, 'heap size after 1,000 failing calls');
  // And the module still answers, with nothing left behind either.
  succeed();
  assert.equal(mod.heap_bytes_in_use(), inUse, 'bytes in use after a successful call');
});
