// web/units.js writes numbers and orders names without Intl (whose first use loads the locale's data). Its results must
// be the ones Intl gives: en-US number formats, and Intl.Collator('en', {numeric: true}) order on the catalog's names.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { test } = require('node:test');

const ROOT = path.resolve(__dirname, '..', '..');
const sandbox = vm.createContext({ window: { FitMyGPUPage: {} } });
vm.runInContext(fs.readFileSync(path.join(ROOT, 'web', 'units.js'), 'utf8'), sandbox);
const U = sandbox.window.FitMyGPUPage.units;

test('numbers are written as Intl.NumberFormat en-US writes them', () => {
  // Ties of the shortest decimal form (0.015, 1.005, 2.675 round up, as NumberFormat rounds them, where toFixed would
  // not), carries through nines, grouping, and negative values away from zero.
  const values = [0, 1, 7.5, 12.345, 999.995, 1000, 1234.5, 16.885, 0.004, 0.005, 0.015, 1.005, 2.675, 9.995, 99999.999,
                  1e6 + 0.5, 123456789.125, 2 ** 40, 0.1 + 0.2, -1234.5, -7.25, -0.5, -999.999];
  // 2,000 more from a fixed sequence (a 32-bit linear congruential generator), so that a run repeats the last one.
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  for (let k = 0; k < 2000; k++) values.push(Math.round(next() * 10 ** (k % 12)) / 10 ** (k % 5));
  // The one difference on purpose: a negative value that rounds to zero is written "0", where NumberFormat writes "-0".
  const expect = (text) => text.replace(/^-(?=[0.,]*$)/, '');
  for (const v of values) {
    for (const [min, max] of [[0, 0], [0, 2], [2, 2], [1, 1], [0, 1]]) {
      const intl = new Intl.NumberFormat('en-US', { minimumFractionDigits: min, maximumFractionDigits: max });
      if (min === 0) assert.equal(U.decimal(v, max), expect(intl.format(v)), `${v} with at most ${max} decimals`);
      if (min === 0 && max === 0) assert.equal(U.integer(v), expect(intl.format(Math.round(v))), `${v} as an integer`);
    }
    // A size: two decimals always, "<0.01" for a positive size that would read as zero, U+2212 for a minus.
    if (v >= 0) {
      U.setUnit('gb');
      const two = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v);
      assert.equal(U.number(v * 1e9, 2), two === '0.00' && v > 0 ? '<0.01' : two, `${v} GB`);
      U.setUnit('gib');
    }
  }
});

test('names are ordered as Intl.Collator("en", {numeric: true}) orders them', () => {
  const names = [];
  for (const dir of ['models', 'gpus']) {
    for (const file of fs.readdirSync(path.join(ROOT, 'catalog', dir))) {
      const doc = JSON.parse(fs.readFileSync(path.join(ROOT, 'catalog', dir, file), 'utf8'));
      for (const e of Array.isArray(doc) ? doc : [doc]) {
        for (const x of [e, ...(Array.isArray(e.gpus) ? e.gpus : [])]) {
          if (x && typeof x.name === 'string') names.push(x.name);
          if (x && typeof x.family === 'string') names.push(x.family);
        }
      }
    }
  }
  names.push('RTX 3090', 'RTX 4090', 'rtx 4090', 'Llama 3.1 8B', 'Llama 3.1 70B', 'Qwen3-8B', 'Qwen3 8B', 'Qwen2.5-7B', 'a-b', 'a b', 'a_b', 'a.b', 'A10', 'a10', 'A100', 'H100 SXM', 'H100-SXM', 'GPT-OSS 20B', 'gpt-oss-120b', 'x2', 'x10', 'x02');
  assert.ok(names.length > 200, `${names.length} names`);
  const variant = new Intl.Collator('en', { numeric: true });
  const base = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  const sign = (n) => Math.sign(n);
  for (let i = 0; i < names.length; i++) {
    for (let j = i; j < Math.min(names.length, i + 60); j++) {
      const [a, b] = [names[i], names[j]];
      assert.equal(sign(U.compareNames(a, b)), sign(variant.compare(a, b)), `${a} vs ${b}`);
      assert.equal(sign(U.compareNames(a, b, true)), sign(base.compare(a, b)), `${a} vs ${b}, case ignored`);
    }
  }
  const sorted = [...names].sort((a, b) => U.compareNames(a, b));
  assert.deepEqual(sorted, [...names].sort(variant.compare));
});
