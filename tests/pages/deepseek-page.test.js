// The DeepSeek R1 Distill Llama 70B page against the seed page it was described from, and its memory
// figures against what the module computes for the same requests, written out here on their own.
'use strict';

const assert = require('node:assert/strict');
const { before, describe, test } = require('node:test');
const { GIB, catalogModel, loadApi, read, text, element, attr, attributes, gibText } = require('./support.js');
const { weightBytes } = require('../../scripts/pages/facts.js');

const ID = 'deepseek-r1-distill-llama-70b';
let api;
let page;

before(async () => {
  api = await loadApi();
  page = read(`models/${ID}.html`);
});

function fact(key) {
  const el = element(page, `data-fact="${key}"`);
  assert.ok(el, `fact ${key}`);
  return text(element(el.inner, '<dd').inner);
}

function figure(name) {
  const el = element(page, `data-figure="${name}"`);
  assert.ok(el, `figure ${name}`);
  return { tag: el.tag, text: text(el.inner) };
}

// The checkpoint's weights, on every device and in host memory, as the page generator reads them (the engine's own
// tables, such as vLLM's rotary cos/sin cache, left out); the BF16 row is checked below against twice the parameter count.
function weightsOf(r) {
  return weightBytes(r).total;
}

describe('DeepSeek R1 Distill Llama 70B', () => {
  test('shows the seed page\'s facts', () => {
    assert.equal(text(element(page, '<h1').inner), 'DeepSeek R1 Distill Llama 70B');
    assert.match(page, /<title>DeepSeek R1 Distill Llama 70B: VRAM, KV cache and GPU fit \| FitMyGPU<\/title>/);
    assert.equal(text(element(page, 'class="eyebrow"').inner), 'DeepSeek');
    assert.equal(fact('company'), 'DeepSeek');
    assert.equal(fact('family'), 'DeepSeek R1 Distill');
    assert.equal(fact('release-date'), 'Jan 20, 2025');
    assert.ok(page.includes('<time datetime="2025-01-20">'));
    assert.equal(fact('architecture'), 'Dense decoder-only transformer');
    assert.match(fact('license'), /MIT/);
    assert.match(fact('license'), /Llama/);
    assert.equal(fact('modality'), 'Text');
    assert.equal(fact('context-window'), '131,072 tokens');
    assert.match(fact('params-total'), /^70\.6B 70,553,706,496 counted from config\.json/);  // "70B" class: 70.6 billion
    assert.match(fact('params-active'), /^Dense model/);
    assert.equal(fact('layers'), '80');
    assert.equal(fact('hidden-size'), '8,192');
    assert.equal(fact('attention-heads'), '64');
    assert.match(fact('kv-heads'), /^8 grouped-query attention/);
    assert.equal(fact('kv-layers'), '80');
    const chips = [...element(page, 'class="chips"').inner.matchAll(/<li class="chip">([^<]*)<\/li>/g)].map((m) => m[1]);
    assert.deepEqual(chips.slice(0, 3), ['Dense', '70.6B parameters', '128K context']);
  });

  test('shows the catalog\'s page text in the seed\'s sections, in the seed\'s order', () => {
    const rec = catalogModel(ID);
    const order = ['Overview and architecture', 'Research highlight', 'Training and release context', 'Where it is strong', 'Memory behavior', 'Sources']
      .map((h) => page.indexOf(`>${h}</h2>`));
    assert.ok(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1])), `section order ${order}`);
    assert.equal(text(element(page, 'class="tagline"').inner), rec.page.summary);
    for (const [testid, cards] of [['highlights', rec.page.highlights], ['release-context', rec.page.release_context], ['strengths', rec.page.strengths]]) {
      const shown = [...element(page, `data-testid="${testid}"`).inner.matchAll(/<h3>([\s\S]*?)<\/h3><p>([\s\S]*?)<\/p>/g)].map((m) => ({ title: text(m[1]), text: text(m[2]) }));
      assert.deepEqual(shown, cards.map((c) => ({ title: c.title, text: c.text })), testid);
    }
    const links = attributes(element(page, 'data-testid="sources"').inner, 'href').map((a) => a.value);
    for (const s of rec.page.sources) assert.ok(links.includes(s.url), s.url);
  });

  test('states the weights of every checkpoint as the module computes them', () => {
    const rows = attributes(element(page, 'data-testid="weights-table"').inner, 'data-format');
    assert.deepEqual(rows.map((r) => r.value), ['bf16', 'fp8', 'awq-int4', 'nvfp4', 'gguf:Q4_K_M', 'gguf:Q8_0']);
    for (const row of rows) {
      const format = row.value;
      const runtime = format.startsWith('gguf:') ? 'llama.cpp' : 'vllm';
      const bytes = weightsOf(api.estimate({ model: ID, weights: format, runtime, gpu: 'h100-sxm-80gb', gpu_count: 1, context: 4096 }));
      assert.equal(Number(attr(row.tag, 'data-bytes')), bytes, format);
      const tr = element(page, `data-format="${format}"`);
      assert.ok(text(tr.inner).includes(gibText(bytes)), `${format}: ${gibText(bytes)}`);
    }
    assert.ok(text(element(page, 'data-format="bf16"').inner).includes('131.42 GiB'), 'BF16: 141,107,412,992 bytes');
  });

  test('states the KV cache per 1K tokens, per context and where it overtakes the weights, as the module computes them', () => {
    const request = { model: ID, weights: 'bf16', runtime: 'vllm', gpu: 'h100-sxm-80gb', gpu_count: 1, concurrency: 1, kv_cache_dtype: 'auto' };
    const at = (context, concurrency = 1) => api.estimate({ ...request, context, concurrency });
    const perToken = at(4096).kv_cache.bytes_per_token;
    assert.equal(perToken, 327680, '80 layers × 2 × 8 heads × 128 × 2 bytes');

    const per1k = figure('kv-per-1k');
    assert.equal(Number(attr(per1k.tag, 'data-bytes')), perToken * 1000);
    assert.equal(per1k.text, '312.50 MiB');
    assert.equal(figure('kv-per-token').text, '320.00 KiB');

    for (const context of [4096, 32768, 131072]) {
      const bytes = at(context).kv_cache.required_bytes;
      const row = element(element(page, 'data-testid="kv-table"').inner, `data-context="${context}"`);
      assert.equal(Number(attr(row.tag, 'data-bytes')), bytes, `${context}`);
      assert.ok(text(row.inner).includes(gibText(bytes)), `${context}: ${gibText(bytes)}`);
    }

    const weights = weightsOf(at(4096));
    const full = at(131072).kv_cache.required_bytes;
    assert.equal(figure('weights').text, gibText(weights));
    assert.equal(figure('kv-full').text, gibText(full));
    const crossover = figure('crossover');
    const requests = Math.ceil(weights / full);
    assert.equal(Number(attr(crossover.tag, 'data-requests')), requests);
    assert.equal(requests, 4);
    assert.ok(at(131072, requests).kv_cache.required_bytes >= weights && at(131072, requests - 1).kv_cache.required_bytes < weights,
      'the module agrees: 4 full-window requests hold more KV than the weights, 3 do not');
    assert.equal(Number(attr(crossover.tag, 'data-tokens')), Math.ceil(weights / perToken));
    assert.equal(crossover.text, `${Math.ceil(weights / perToken).toLocaleString('en-US')} tokens`);
    assert.match(text(element(page, 'data-testid="memory-summary"').inner), /^Weights dominate\. The BF16 weights take 131\.42 GiB; one request at the full 131,072-token context window adds 40\.00 GiB of KV cache/);
  });

  test('says which common GPUs fit it at 4K and 32K as compare() answers', () => {
    const table = element(page, 'data-testid="fits-table"').inner;
    for (const context of [4096, 32768]) {
      const rows = api.compare({ model: ID, weights: 'bf16', runtime: 'vllm', gpu_count: 1, context, concurrency: 1, kv_cache_dtype: 'auto' }).gpus;
      const cells = [...table.matchAll(new RegExp(`<tr data-gpu="([^"]+)">[\\s\\S]*?<td[^>]*data-context="${context}"[^>]*>`, 'g'))];
      assert.equal(cells.length, 11, 'eleven common GPUs');
      for (const [tag, gpu] of cells.map((m) => [m[0].slice(m[0].lastIndexOf('<td')), m[1]])) {
        const row = rows.find((r) => r.gpu === gpu);
        assert.equal(attr(tag, 'data-verdict'), row.verdict, `${gpu} at ${context}`);
        assert.equal(attr(tag, 'data-fewest'), row.fewest_gpus ? String(row.fewest_gpus) : '', `${gpu} at ${context}`);
      }
    }
    const b200 = element(table, 'data-gpu="b200"');
    assert.match(text(b200.inner), /1 card 1 card [\d,.]+ tokens\/s$/, 'one B200 holds BF16 70B at 4K and 32K');
    assert.equal(GIB, 2 ** 30);
  });

  test('says where its Q4_K_M GGUF runs on llama.cpp: cards and Macs, as compare() and estimate() answer', () => {
    const table = element(page, 'data-testid="local-fits-table"');
    assert.ok(table, 'the llama.cpp table');
    assert.equal(attr(table.tag, 'data-weights'), 'gguf:Q4_K_M');
    assert.equal(attr(table.tag, 'data-runtime'), 'llama.cpp');
    const request = { model: ID, weights: 'gguf:Q4_K_M', runtime: 'llama.cpp', gpu_count: 1, context: 4096, concurrency: 1, kv_cache_dtype: 'auto' };
    const rows = api.compare(request).gpus;
    // Q4_K_M of a 70B model is about 40 GiB: one 24 GiB card cannot hold it, two can.
    for (const gpu of ['rtx-3090', 'rtx-4090']) {
      const row = element(table.inner, `data-gpu="${gpu}"`).inner;
      const cell = element(row, 'data-context="4096"');
      assert.equal(attr(cell.tag, 'data-fewest'), String(rows.find((r) => r.gpu === gpu).fewest_gpus), gpu);
      assert.equal(attr(cell.tag, 'data-fewest'), '2', `${gpu}: two cards`);
      const r = api.estimate({ ...request, gpu, gpu_count: 2 });
      assert.equal(Number(attr(element(row, 'class="num max-context"').tag, 'data-max-context')), r.limits.max_context, `${gpu}: longest context on two`);
      assert.equal(Number(attr(element(row, 'class="num speed"').tag, 'data-speed')), r.speed.decode_tokens_per_s, `${gpu}: speed on two`);
    }
    assert.match(text(element(page, 'data-testid="local-fits-summary"').inner), /^At 4K context the GGUF Q4_K_M file on llama\.cpp runs on two 24 GB cards \(24 GiB each: 2 × NVIDIA GeForce RTX 3090 or 2 × NVIDIA GeForce RTX 4090\)/);
    // A Mac is one machine: the 48 GB M4 Pro does not hold it (no "2 cards" for a Mac).
    assert.match(text(element(element(table.inner, 'data-gpu="m4-pro-48gb"').inner, 'data-context="4096"').inner), /^Does not fit$/);
  });

  test('gives one request\'s decode speed on the fewest cards of each GPU, within what its memory bandwidth allows', () => {
    const table = element(page, 'data-testid="fits-table"').inner;
    const rows = api.compare({ model: ID, weights: 'bf16', runtime: 'vllm', gpu_count: 1, context: 4096, concurrency: 1, kv_cache_dtype: 'auto' }).gpus;
    const weights = weightsOf(api.estimate({ model: ID, weights: 'bf16', runtime: 'vllm', gpu: 'b200', context: 4096 }));
    let checked = 0;
    for (const m of table.matchAll(/<tr data-gpu="([^"]+)">[\s\S]*?<\/tr>/g)) {
      const gpu = m[1];
      const row = rows.find((r) => r.gpu === gpu);
      const cell = element(m[0], 'class="num speed"');
      assert.ok(cell, `${gpu}: a speed cell`);
      if (!row.fewest_gpus) {
        assert.equal(attr(cell.tag, 'data-speed'), '', `${gpu}: no speed where nothing fits`);
        continue;
      }
      assert.equal(Number(attr(cell.tag, 'data-cards')), row.fewest_gpus, `${gpu}: on the fewest cards`);
      const speed = Number(attr(cell.tag, 'data-speed'));
      // Every token reads all 70.6 B BF16 weights once, shared by the cards: the cards' summed bandwidth over the
      // weight bytes bounds the rate from above; the per-layer and all-reduce costs keep it above a third of it.
      const bound = (row.fewest_gpus * row.bandwidth_gbps * 1e9) / weights;
      assert.ok(speed > 0 && speed < bound, `${gpu}: ${speed} tokens/s under the ${bound.toFixed(1)} bandwidth bound`);
      assert.ok(speed > bound / 3, `${gpu}: ${speed} tokens/s not far below the ${bound.toFixed(1)} bound`);
      assert.match(text(cell.inner), /^[\d,.]+ tokens\/s( on \d+ cards)?$/);
      checked++;
    }
    assert.ok(checked >= 8, `${checked} GPUs with a speed`);
  });
});
