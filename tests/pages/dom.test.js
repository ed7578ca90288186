// web/dom.js's latest(): a pasted command or log waits for the tools module; a later read must win over an earlier one
// still waiting, whichever promise settles first, and an error must reach the status line.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { test } = require('node:test');

const ROOT = path.resolve(__dirname, '..', '..');
const sandbox = vm.createContext({ window: { FitMyGPUPage: {} } });
vm.runInContext(fs.readFileSync(path.join(ROOT, 'web', 'dom.js'), 'utf8'), sandbox);
const D = sandbox.window.FitMyGPUPage.dom;

function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((a, b) => { resolve = a; reject = b; });
  return { promise, resolve, reject };
}

test('latest(): the last call wins, whatever order the promises settle in', async () => {
  const run = D.latest();
  const status = { textContent: '' };
  const shown = [];
  const first = deferred();
  const second = deferred();
  const a = run(first.promise, (v) => shown.push(v), status);
  const b = run(second.promise, (v) => shown.push(v), status);
  second.resolve('second');
  await b;
  first.resolve('first');  // settles after the later call: dropped
  await a;
  assert.deepEqual(shown, ['second']);
  assert.equal(status.textContent, '');
});

test('latest(): an error of the promise or of done reaches the status, unless a later call came', async () => {
  const run = D.latest();
  const status = { textContent: '' };
  await run(Promise.reject(new Error('the tools module failed to load')), () => {}, status);
  assert.equal(status.textContent, 'the tools module failed to load');
  await run(Promise.resolve(1), () => { throw new Error('not a launch command'); }, status);
  assert.equal(status.textContent, 'not a launch command');
  await run(Promise.reject('plain text'), () => {}, status);
  assert.equal(status.textContent, 'plain text');
  const early = deferred();
  const stale = run(early.promise, () => {}, status);
  await run(Promise.resolve(2), () => { status.textContent = 'read'; }, status);
  early.reject(new Error('late failure'));
  await stale;
  assert.equal(status.textContent, 'read');
});
