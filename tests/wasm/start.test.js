// fitmygpu-start.js (scripts/start-data): the module's first answers to the calculator, written at build time. They
// must be exactly what the shipped module answers, and the facade must hand each out once, only to a module of the
// version that wrote them.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { before, test } = require('node:test');
const { BUNDLE, loadBundle } = require('./support.js');

const FitMyGPU = loadBundle();
const START = path.join(path.dirname(BUNDLE), 'fitmygpu-start.js');

let api;
before(async () => {
  api = await FitMyGPU.ready();
});

function readStart() {
  const context = {};
  vm.runInNewContext(fs.readFileSync(START, 'utf8'), context);
  return JSON.parse(JSON.stringify(context.FitMyGPUStart));  // objects of this realm, for deepEqual
}

test('the start answers are the shipped module\'s own answers to the same requests', () => {
  const start = readStart();
  assert.equal(start.version, api.version);
  // The calculator's requests before its first verdict (web/app.js, web/state.js, web/knob-controls.js, web/update.js):
  // the registry, the lists of the starting model and GPU alone (the menus wait for the module), then, for the page's
  // default setup (web/state.js DEFAULTS: Llama 3.1 8B on an RTX 4090, 4,096 tokens, one request), the runtime that
  // follows the device, the model's record, the knob defaults and the estimate.
  const keys = Object.keys(start.answers);
  for (const k of ['schema {}', 'models {"derived":false,"ids":["llama-3.1-8b"]}', 'gpus {"ids":["rtx-4090"]}', 'model {"model":"llama-3.1-8b"}']) {
    assert.ok(keys.includes(k), k);
  }
  assert.ok(!keys.includes('models {"derived":false}') && !keys.includes('gpus {}'), 'not the whole lists');
  const estimates = keys.filter((k) => k.startsWith('estimate '));
  assert.equal(estimates.length, 1);
  const request = JSON.parse(estimates[0].slice('estimate '.length));
  assert.equal(request.model, 'llama-3.1-8b');
  assert.equal(request.gpu, 'rtx-4090');
  assert.equal(request.context, 4096);
  assert.equal(request.concurrency, 1);
  // The runtime is the one the estimator picks for that card (a consumer card: llama.cpp), as the page asks it.
  assert.equal(request.runtime, api.defaults({ model: 'llama-3.1-8b', gpu: 'rtx-4090' }).runtime);
  assert.equal(keys.filter((k) => k.startsWith('defaults ')).length, 2);
  for (const [key, answer] of Object.entries(start.answers)) {
    const space = key.indexOf(' ');
    assert.deepEqual(answer, JSON.parse(api.call(key.slice(0, space), key.slice(space + 1))), key);
  }
  assert.deepEqual(start.answers['models {"derived":false,"ids":["llama-3.1-8b"]}'].models.map((m) => m.id), ['llama-3.1-8b']);
  assert.deepEqual(start.answers['gpus {"ids":["rtx-4090"]}'].gpus.map((g) => g.id), ['rtx-4090']);
});

test('the facade hands a start answer out once, and only to the version that wrote it', () => {
  const fromModule = api.gpus();
  try {
    globalThis.FitMyGPUStart = { version: api.version, answers: { 'gpus {}': { gpus: [{ id: 'written-at-build-time' }] } } };
    assert.deepEqual(api.gpus(), [{ id: 'written-at-build-time' }]);
    assert.deepEqual(api.gpus(), fromModule, 'the second call asks the module');
    // Another request text is not the one the answer was written for.
    globalThis.FitMyGPUStart = { version: api.version, answers: { 'models {}': { models: [] } } };
    assert.ok(api.models({ derived: false }).length > 100);
    // Answers written by another version are not used.
    globalThis.FitMyGPUStart = { version: `${api.version}-other`, answers: { 'gpus {}': { gpus: [] } } };
    assert.deepEqual(api.gpus(), fromModule);
  } finally {
    delete globalThis.FitMyGPUStart;
  }
});

test('early() answers from the start answers alone, once each, and says "not_ready" to anything else', () => {
  try {
    globalThis.FitMyGPUStart = { version: 'start-version', answers: { 'gpus {}': { gpus: [{ id: 'written-at-build-time' }] } } };
    const early = FitMyGPU.early();
    assert.equal(early.version, 'start-version');
    assert.deepEqual(early.gpus(), [{ id: 'written-at-build-time' }]);
    assert.throws(() => early.gpus(), (e) => e instanceof FitMyGPU.Error && e.code === 'not_ready');
    assert.throws(() => early.estimate({ model: 'llama-3.1-8b', gpu: 'rtx-4090' }), (e) => e.code === 'not_ready');
    assert.equal(JSON.parse(early.call('schema', '{}')).error.code, 'not_ready');
    delete globalThis.FitMyGPUStart;
    assert.equal(FitMyGPU.early(), null);
    globalThis.FitMyGPUStart = { answers: {} };
    assert.equal(FitMyGPU.early(), null, 'answers without a version are not used');
  } finally {
    delete globalThis.FitMyGPUStart;
  }
});
