// Golden fixtures: every tests/fixtures/*.json request gives the same JSON from the native CLI and from the
// shipped wasm bundle — numbers, texts and errors alike (the core is built with -ffp-contract=off so the
// two agree to the bit).
'use strict';
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { after, before, describe, test } = require('node:test');
const { CLI, FIXTURES, loadBundle } = require('./support.js');

const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();

function nativeEstimate(requestFile) {
  const run = spawnSync(CLI, ['estimate', requestFile], { encoding: 'utf8', timeout: 60000, maxBuffer: 64 << 20 });
  if (run.error) throw run.error;
  return { status: run.status, stderr: run.stderr, response: JSON.parse(run.stdout) };
}

describe('golden fixtures: native CLI and wasm give identical JSON', () => {
  let api;
  let tmp;
  before(async () => {
    assert.ok(fs.existsSync(CLI), `the native CLI is missing: ${CLI} (run scripts/build)`);
    api = await loadBundle().ready();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fitmygpu-golden-'));
  });
  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('there are fixtures to compare', () => {
    assert.ok(files.length >= 6, `${files.length} fixtures in ${FIXTURES}`);
  });

  for (const file of files) {
    const fixture = JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
    test(`${file}: ${fixture.name}`, () => {
      assert.equal(typeof fixture.name, 'string', 'a fixture has a name');
      assert.ok(fixture.request && typeof fixture.request === 'object', 'a fixture has a request object');

      // Only the request goes to the CLI and the module, as the same text.
      const text = JSON.stringify(fixture.request);
      const requestFile = path.join(tmp, file);
      fs.writeFileSync(requestFile, text);

      const native = nativeEstimate(requestFile);
      const wasm = JSON.parse(api.call('estimate', text));
      assert.deepStrictEqual(wasm, native.response);

      if (native.response.error) {
        assert.equal(native.status, 2, 'the CLI exits 2 on a bad request');
        assert.equal(typeof native.response.error.code, 'string');
        assert.equal(typeof native.response.error.field, 'string');
        assert.throws(() => api.estimate(fixture.request), (e) => e.code === wasm.error.code && e.field === wasm.error.field);
      } else {
        assert.equal(native.status, 0, native.stderr);
        assert.ok(['fits', 'tight', 'does_not_fit'].includes(native.response.verdict));
      }
    });
  }
});
