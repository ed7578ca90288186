// api.inspect in the shipped bundle: a safetensors file written here byte by byte, read from a growing prefix as a
// browser reads a Blob.slice, then estimated with the checkpoint summary it returns.
'use strict';
const assert = require('node:assert/strict');
const { test } = require('node:test');
const { loadBundle } = require('./support.js');

const FitMyGPU = loadBundle();

// 8-byte little-endian header length, the JSON header, the data (zeros).
function safetensors(tensors) {
  const header = {};
  let at = 0;
  for (const [name, dtype, shape, bytesPer] of tensors) {
    const bytes = shape.reduce((a, b) => a * b, 1) * bytesPer;
    header[name] = { dtype, shape, data_offsets: [at, at + bytes] };
    at += bytes;
  }
  const json = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + at);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

// Two layers of 256 × 256 BF16 (131,072 bytes each), a 64 × 256 embedding and head (32,768 bytes each), a norm (512).
// A vocabulary of 64 is what vLLM pads embedding rows to, so it loads exactly the file's bytes.
const FILE = safetensors([
  ['model.embed_tokens.weight', 'BF16', [64, 256], 2],
  ['model.layers.0.self_attn.q_proj.weight', 'BF16', [256, 256], 2],
  ['model.layers.1.self_attn.q_proj.weight', 'BF16', [256, 256], 2],
  ['model.norm.weight', 'BF16', [256], 2],
  ['lm_head.weight', 'BF16', [64, 256], 2],
]);
const TENSOR_BYTES = 32768 + 2 * 131072 + 512 + 32768; // 328,192
const PARAMETERS = 16384 + 2 * 65536 + 256 + 16384; // 164,096

const CONFIG = {
  model_type: 'llama', architectures: ['LlamaForCausalLM'], hidden_size: 256, num_hidden_layers: 2, num_attention_heads: 4,
  num_key_value_heads: 2, intermediate_size: 512, vocab_size: 64, max_position_embeddings: 4096, torch_dtype: 'bfloat16',
};

test('inspect grows its read until the header is parsed, then gives exact counts', async () => {
  const api = await FitMyGPU.tools();
  let bytes = 16;
  let r;
  for (let round = 0; round < 5; round++) {
    r = api.inspect([{ name: 'model.safetensors', size: FILE.length, data: FILE.subarray(0, bytes) },
      { name: 'config.json', text: JSON.stringify(CONFIG) }]);
    if (!r.need_bytes) break;
    assert.equal(r.need_bytes[0].name, 'model.safetensors');
    bytes = r.need_bytes[0].bytes;
  }
  assert.ok(!r.need_bytes, 'parsed within a few reads');
  assert.ok(bytes < FILE.length, 'the header only, never the data');
  assert.equal(r.format, 'safetensors');
  assert.equal(r.architecture, 'LlamaForCausalLM');
  assert.equal(r.parameters, PARAMETERS);
  assert.equal(r.tensor_bytes, TENSOR_BYTES);
  assert.deepEqual(r.tensor_types, { BF16: 5 });
  assert.deepEqual(r.checkpoint.layers, [131072, 131072]);

  const e = api.estimate({ ...r.request, gpu: 'rtx-4090' });
  // The checkpoint's tensors (vLLM's rotary cos/sin table, a weights item of its own, is the engine's).
  const weights = e.breakdown.filter((b) => b.component === 'weights' && b.label !== 'rotary embedding table').reduce((a, b) => a + b.bytes, 0);
  assert.equal(weights, TENSOR_BYTES);
});

test('a malformed file is a FitMyGPU.Error naming the file', async () => {
  const api = await FitMyGPU.tools();
  const bad = FILE.slice(0, FILE.length - 1); // the data is one byte short
  assert.throws(() => api.inspect([{ name: 'model.safetensors', size: bad.length, data: bad }]), (e) => {
    assert.ok(e instanceof FitMyGPU.Error);
    assert.equal(e.code, 'invalid_file');
    assert.equal(e.field, 'model.safetensors');
    return true;
  });
});
