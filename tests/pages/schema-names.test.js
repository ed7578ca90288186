// The generated pages name runtimes and formats, and count cards, as the estimator's engine registry
// (api.schema()) does: format names, the engine each checkpoint is checked with, the card counts offered and
// tried, and the runtime the widget starts on.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { before, describe, test } = require('node:test');
const { SITE, loadApi, read, text, element, attr, attributes } = require('./support.js');

let api;
let schema;
before(async () => {
  assert.ok(fs.existsSync(path.join(SITE, 'models', 'index.html')), `no model pages in ${SITE} (run scripts/build)`);
  api = await loadApi();
  schema = api.schema();
});

function family(id) {
  const f = schema.formats.find((x) => x.id === id);
  return f ? f.family : schema.gguf_types.includes(id) || id.startsWith('gguf:') ? 'gguf' : '';
}
function formatName(id) {
  const f = schema.formats.find((x) => x.id === id);
  return f ? f.name : `GGUF ${id.slice('gguf:'.length)}`;
}
// The registry's first runtime that loads the format's family natively.
function engineOf(id) { return schema.runtimes.find((r) => r.loads.includes(family(id))); }

describe('names and counts from the schema', () => {
  test('the model index: format names, the engine of each checkpoint, the card counts offered', () => {
    const index = read('models/index.html');
    const chips = attributes(index, 'data-format').filter((a) => a.tag.startsWith('<li'));
    assert.ok(chips.length > 100, `${chips.length} checkpoint chips`);
    const seen = new Set();
    for (const chip of chips) {
      const id = chip.value;
      assert.equal(attr(chip.tag, 'data-family'), family(id), `${id}: family`);
      assert.equal(attr(chip.tag, 'data-runtime'), engineOf(id).id, `${id}: engine`);
      if (seen.has(id)) continue;
      seen.add(id);
      const at = index.indexOf(chip.tag);
      assert.equal(text(element(index.slice(at), 'class="fmt-name"').inner), formatName(id), `${id}: name`);
    }
    const counts = [...element(index, 'id="fit-count"').inner.matchAll(/<option value="(\d+)"/g)].map((m) => Number(m[1]));
    assert.deepEqual(counts, schema.runtimes.find((r) => r.id === schema.default_runtime).card_counts);
    const help = text(element(index, 'class="help"').inner);
    for (const fam of ['safetensors', 'gguf', 'mlx']) {
      const r = schema.runtimes.find((x) => x.loads.includes(fam));
      assert.ok(help.includes(`${r.name} for `), `the help names ${r.name}: ${help}`);
    }
  });

  test('a model page: engine names, format names, the card counts tried, the widget\'s runtime', () => {
    for (const id of ['llama-3.1-8b', 'deepseek-r1-distill-llama-70b']) {
      const page = read(`models/${id}.html`);
      const rows = attributes(element(page, 'data-testid="weights-table"').inner, 'data-format');
      assert.ok(rows.length > 0, id);
      for (const row of rows) {
        const format = row.value;
        const runtime = engineOf(format);
        assert.equal(attr(row.tag, 'data-runtime'), runtime.id, `${id} ${format}: engine`);
        const cells = element(page, `data-format="${format}" data-runtime`).inner;
        assert.equal(text(element(cells, 'class="format-name"').inner), formatName(format), `${id} ${format}: name`);
        assert.ok(text(cells).includes(runtime.name), `${id} ${format}: ${runtime.name}`);
      }
      const official = api.model(id).checkpoints.find((c) => c.official).format;
      const rt = engineOf(official);
      const caption = text(element(page, 'id="fits-caption"').inner);
      const counts = rt.card_counts;
      assert.ok(caption.includes(`on ${rt.name} `), caption);
      assert.ok(caption.includes(`${counts.slice(0, -1).join(', ')} or ${counts[counts.length - 1]} cards`), caption);
      // The widget opens on a setup that fits: BF16 8B on vLLM on one RTX 4090; the 70B (141 GB in BF16) as its
      // Q4_K_M GGUF on llama.cpp on two of them.
      const widget = element(page, '<fitmygpu-widget').tag;
      const setup = { model: id, runtime: attr(widget, 'runtime'), gpu: attr(widget, 'gpu'), gpu_count: Number(attr(widget, 'gpu-count')),
        context: Number(attr(widget, 'context')) };
      if (attr(widget, 'weights')) setup.weights = attr(widget, 'weights');
      if (id === 'llama-3.1-8b') assert.deepEqual([setup.runtime, setup.weights, setup.gpu, setup.gpu_count], [rt.id, official, 'rtx-4090', 1], id);
      else assert.deepEqual([setup.runtime, setup.weights, setup.gpu, setup.gpu_count], ['llama.cpp', 'gguf:Q4_K_M', 'rtx-4090', 2], id);
      assert.notEqual(api.estimate(setup).verdict, 'does_not_fit', `${id}: the widget's setup fits`);
    }
  });

  test('a model whose window is shorter than the table\u2019s contexts gets its table at the whole window', () => {
    // Phi-2: max_position_embeddings 2048 in its config.json, so neither 4K nor 32K applies; 2,048 tokens do.
    const page = read('models/phi-2.html');
    assert.equal(api.model('phi-2').config.max_position_embeddings, 2048);
    const caption = text(element(page, 'id="fits-caption"').inner);
    assert.ok(caption.length > 0, 'the table is there');
    assert.match(text(page), /4K and 32K context is beyond this model\u2019?'?s 2,048-token context window, so the table stops at 2K/);
    const widget = element(page, '<fitmygpu-widget').tag;
    assert.ok(Number(attr(widget, 'context')) <= 2048, 'the widget opens within the window');
  });
});
