// A failed call leaves the module as it was: 1,000 failing calls in a row (malformed JSON, nesting too deep, an
// unknown model, field errors, a size beyond 64 bits thrown from deep inside an engine, a bad log check, an unknown
// method) keep malloc's bytes in use (to within its own bookkeeping) and the heap's size where they were after a warm-up. Each error is a C++
// exception thrown and caught inside the module (wasm/CMakeLists.txt builds it with -fwasm-exceptions); a leak per
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
  // Warm-up: the catalog and static tables are built on first use, and the heap grows to its working size. The core
  // module's allocator (emmalloc) also settles its own bookkeeping over the first calls: its in-use count, which takes
  // in the headers of the regions it splits and merges, moves by 1,052, 268 and 104 bytes over the first three thousand
  // failing calls and then not at all. A leak grows with every call instead: one lost allocation a call, 8 bytes at the
  // least, would add 8,000 bytes over the thousand calls below, so less than a byte a call is none.
  failAll(2000);
  succeed();
  const inUse = mod.heap_bytes_in_use();
  const heapSize = mod.HEAP8.length;
  failAll(1000);
  assert.ok(mod.heap_bytes_in_use() - inUse < 1000, `bytes in use after 1,000 failing calls: ${mod.heap_bytes_in_use() - inUse} more`);
  assert.equal(mod.HEAP8.length, heapSize, 'heap size after 1,000 failing calls');
  // And the module still answers, with nothing left behind either.
  succeed();
  assert.ok(mod.heap_bytes_in_use() - inUse < 1000, 'bytes in use after a successful call');
});
