// A checkpoint whose release states its own quantization layout gets a row of its own in a model page's weights
// table: Llama 3.1 405B's two FP8 releases differ by the attention projections Meta's keeps in BF16.
'use strict';

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const { read, text, element, attributes, attr } = require('./support.js');

describe('Llama 3.1 405B weights table', () => {
  test('lists Meta\'s FP8 release apart from NVIDIA\'s, larger by the attention left in BF16', () => {
    const table = element(read('models/llama-3.1-405b.html'), 'data-testid="weights-table"').inner;
    const rows = attributes(table, 'data-format').filter((r) => r.value === 'fp8');
    assert.equal(rows.length, 2, 'one row per FP8 release');
    const bytesOf = (repo) => {
      const row = rows.find((r) => text(element(table, `data-bytes="${attr(r.tag, 'data-bytes')}"`).inner).includes(repo));
      assert.ok(row, repo);
      return Number(attr(row.tag, 'data-bytes'));
    };
    const meta = bytesOf('meta-llama/Llama-3.1-405B-Instruct-FP8');
    const nvidia = bytesOf('nvidia/Llama-3.1-405B-Instruct-FP8');
    // Meta's keeps 126 layers of q, k, v and o (16384 x 16384 twice, 1024 x 16384 twice) and the MLPs of two layers
    // (3 x 16384 x 53248) in BF16: 2 bytes a weight, where NVIDIA's has 1 byte and an fp32 scale per output row.
    const attentionWeights = 126 * (2 * 16384 * 16384 + 2 * 1024 * 16384);
    const attentionRows = 126 * (2 * 16384 + 2 * 1024);
    const mlpWeights = 2 * 3 * 16384 * 53248;
    const mlpRows = 2 * (2 * 53248 + 16384);
    assert.equal(meta - nvidia, attentionWeights + mlpWeights - 4 * (attentionRows + mlpRows));
  });
});
