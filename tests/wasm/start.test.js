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
  // The three requests the calculator makes first (web/app.js, web/state.js).
  assert.deepEqual(Object.keys(start.answers).sort(), ['gpus {}', 'models {"derived":false}', 'schema {}']);
  for (const [key, answer] of Object.entries(start.answers)) {
    const space = key.indexOf(' ');
    assert.deepEqual(answer, JSON.parse(api.call(key.slice(0, space), key.slice(space + 1))), key);
  }
  assert.ok(start.answers['models {"derived":false}'].models.length > 100);
  assert.ok(start.answers['gpus {}'].gpus.length > 50);
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
