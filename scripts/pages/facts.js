// Everything a model page states about memory, asked of the estimator (build/site/fitmygpu.js) at build
// time. Nothing here computes memory itself: it chooses requests, calls the module and keeps the answers.
'use strict';

const vocabulary = require('./vocabulary.js');
const { withCatalogText } = require('./catalog-text.js');

/** GPUs the "which GPUs fit it" table lists, smallest first: the cards people usually ask about. */
const COMMON_GPUS = [
  'rtx-3060-12gb', 'rtx-4090', 'rtx-5090', 'rtx-6000-ada', 'l40s', 'a100-80gb-sxm4', 'h100-sxm-80gb',
  'rtx-pro-6000-blackwell', 'h200-sxm-141gb', 'mi300x', 'b200',
];

/** Cards and Macs of the "on your own machine" table (the popular GGUF on llama.cpp), smallest first. */
const LOCAL_GPUS = ['rtx-3060-12gb', 'rtx-4060-ti-16gb', 'rtx-3090', 'rtx-4090', 'rtx-5090', 'm4-pro-48gb', 'm4-max-128gb', 'm3-ultra-512gb'];
const LOCAL_RUNTIME = 'llama.cpp';

/** Contexts of the fit table (tokens per request). */
const FIT_CONTEXTS = [4096, 32768];

/** Contexts of the KV table; the model's own context window is added. */
const KV_CONTEXTS = [4096, 32768];

// Weights and KV bytes per token do not depend on the card (checked: same bytes on a 12 GB and an 80 GB
// card), so one card serves as the probe: the first of these whose vendor the engine runs on (the schema's
// vendors), e.g. an Apple system for MLX.
const PROBE_GPU = 'h100-sxm-80gb';
const PROBE_APPLE = 'm4-max-128gb';
const PROBES = [['nvidia', PROBE_GPU], ['apple', PROBE_APPLE]];

const schemas = new WeakMap();
/** The module's engine registry, asked once per module. */
function schemaOf(api) {
  if (!schemas.has(api)) schemas.set(api, api.schema());
  return schemas.get(api);
}

/** The engine that loads a checkpoint format natively (the registry's first; GGUF → llama.cpp, MLX → MLX, safetensors → vLLM). */
function runtimeFor(api, format) { return vocabulary.runtimeFor(schemaOf(api), format); }

/** The probe card for a runtime. */
function probeGpu(api, runtime) {
  const vendors = vocabulary.runtimeEntry(schemaOf(api), runtime).vendors;
  const probe = PROBES.find(([vendor]) => vendors.includes(vendor));
  return probe ? probe[1] : PROBE_GPU;
}

/** The request for `format` on the probe card (also what the tests rebuild). */
function weightsRequest(api, id, format, weights = format) {
  const runtime = runtimeFor(api, format);
  return { model: id, weights, runtime, gpu: probeGpu(api, runtime), gpu_count: 1, context: 4096, concurrency: 1 };
}

/** The engine's own tables counted with the weights it loads (vLLM's rotary cos/sin cache), which are not the checkpoint's. */
const ENGINE_TABLES = new Set(['rotary embedding table']);

/**
 * Weight bytes of an estimate: the checkpoint's tensors on every device plus what the engine keeps in host memory
 * (llama.cpp's CPU token embeddings).
 */
function weightBytes(estimate) {
  const tables = (estimate.breakdown || []).filter((b) => b.component === 'weights' && ENGINE_TABLES.has(b.label));
  const hostTables = tables.filter((b) => b.device < 0).reduce((sum, b) => sum + b.bytes, 0);
  const deviceTables = tables.filter((b) => b.device >= 0).reduce((sum, b) => sum + b.bytes, 0);
  const device = estimate.devices.reduce((sum, d) => sum + (d.components.weights || 0), 0) - deviceTables;
  const host = ((estimate.host && estimate.host.components && estimate.host.components.weights) || 0) - hostTables;
  return { total: device + host, host };
}

/** The checkpoint the estimator uses by default: the first official one (catalog order), else the first listed. */
function officialCheckpoint(record) {
  const list = record.checkpoints || [];
  return list.find((c) => c.official) || list[0] || null;
}

const gpuLists = new WeakMap();
function gpuList(api) {
  if (!gpuLists.has(api)) gpuLists.set(api, api.gpus());
  return gpuLists.get(api);
}

function errorText(e) { return e && e.message ? String(e.message) : String(e); }

/**
 * Where the KV cache overtakes the weights, asked of the module. When one request at the full context
 * window holds more KV than the weights, the smallest such context (the linear guess from bytes per token,
 * confirmed by the module, else a bisection over the module's answers); otherwise how many concurrent
 * full-window requests it takes, confirmed by one more estimate at that concurrency.
 */
function crossover(api, base, window, officialRow, kv) {
  const weights = officialRow && officialRow.weights_bytes;
  if (!(weights > 0)) return null;
  const kvAt = (context, concurrency = 1) => api.estimate({ ...base, context, concurrency }).kv_cache.required_bytes;
  const full = kv.contexts[kv.contexts.length - 1].bytes;
  if (!(full > 0)) return { kind: 'never', weights_bytes: weights };
  if (full >= weights) {
    let context = null;
    const perToken = kv.bytes_per_token;
    if (perToken > 0) {
      const bounded = Math.max(full - perToken * window, 0);
      const guess = Math.ceil((weights - bounded) / perToken);
      if (guess > 1 && guess <= window && kvAt(guess) >= weights && kvAt(guess - 1) < weights) context = guess;
    }
    if (context === null) {
      let lo = 1;        // KV below the weights (or the smallest context)
      let hi = window;   // KV at least the weights
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (kvAt(mid) >= weights) hi = mid; else lo = mid;
      }
      context = hi;
    }
    return { kind: 'single', context, weights_bytes: weights };
  }
  const requests = Math.ceil(weights / full);
  const bytes = kvAt(window, requests);
  return { kind: 'concurrent', requests, context: window, bytes, confirmed: bytes >= weights, tokens: Math.ceil(weights * window / full), weights_bytes: weights };
}

/**
 * The checkpoint table's row a checkpoint belongs to: its format's, or its own when a release of that format states a
 * quantization layout of its own (modules left in 16-bit), which sizes the releases of that format apart.
 */
function rowKeys(record) {
  const laidOut = new Set((record.checkpoints || []).filter((c) => c.quantization_config).map((c) => c.format));
  return (c) => (laidOut.has(c.format) && c.repo ? 'repo:' + c.repo : c.format);
}

/** A card's marketed memory size as its catalog record states it ("24 GB" of "24 GB GDDR6X"); "" when it gives none. */
function marketedSize(api, id) {
  const g = gpuList(api).find((x) => x.id === id);
  const m = g && typeof g.memory_marketed === 'string' ? /^(\d+(?:\.\d+)?) ?GB\b/.exec(g.memory_marketed) : null;
  return m ? `${m[1]} GB` : '';
}

/** All answers a model page needs, for one model. */
function modelFacts(api, id) {
  const schema = schemaOf(api);
  const record = withCatalogText(api.model(id));
  const official = officialCheckpoint(record);
  const officialFormat = official ? official.format : null;
  const officialRuntime = officialFormat ? runtimeFor(api, officialFormat) : schema.default_runtime;

  // Weights per checkpoint format, in catalog order; formats listed twice (two repos) are estimated once, except a
  // release with a quantization layout of its own (modules left in 16-bit), whose format is then sized repo by repo.
  const checkpoints = [];
  const byFormat = new Map();
  const rowKey = rowKeys(record);
  for (const c of record.checkpoints || []) {
    const key = rowKey(c);
    const own = key !== c.format;
    let row = byFormat.get(key);
    if (!row) {
      row = { format: c.format, runtime: runtimeFor(api, c.format), repos: [], official: false };
      try {
        const w = weightBytes(api.estimate(weightsRequest(api, id, c.format, own ? c.repo : c.format)));
        row.weights_bytes = w.total;
        row.host_bytes = w.host;
      } catch (e) {
        row.error = errorText(e);
      }
      byFormat.set(key, row);
      checkpoints.push(row);
    }
    row.repos.push({ repo: c.repo || '', official: Boolean(c.official) });
    row.official = row.official || Boolean(c.official);
  }

  // KV cache of one request at a few contexts, with the official checkpoint on its engine, KV type "auto".
  const base = { model: id, runtime: officialRuntime, gpu: probeGpu(api, officialRuntime), gpu_count: 1, concurrency: 1, kv_cache_dtype: 'auto' };
  if (officialFormat) base.weights = officialFormat;
  const contexts = [...new Set([...KV_CONTEXTS.filter((c) => c < record.context_window), record.context_window])];
  const probe = gpuList(api).find((g) => g.id === base.gpu);
  const kv = { runtime: officialRuntime, weights: officialFormat, kv_cache_dtype: 'auto', gpu: base.gpu, gpu_name: probe ? probe.name : base.gpu, contexts: [] };
  for (const context of contexts) {
    const r = api.estimate({ ...base, context });
    kv.bytes_per_token = r.kv_cache.bytes_per_token;
    kv.contexts.push({ context, bytes: r.kv_cache.required_bytes });
  }

  kv.crossover = crossover(api, base, record.context_window, official ? byFormat.get(rowKey(official)) : undefined, kv);

  // Recurrent state (Mamba, linear attention): the GGUF engine (llama.cpp) reports it as its own buffer, per sequence.
  let state = null;
  const stateRuntime = runtimeFor(api, schema.gguf_types[0]);
  const kinds = Object.keys((record.derived && record.derived.layer_kinds) || {});
  if (kinds.some((k) => /mamba|ssm|linear/i.test(k)) || record.architecture_class === 'hybrid' || record.architecture_class === 'hybrid-moe') {
    try {
      const r = api.estimate({ model: id, runtime: stateRuntime, gpu: probeGpu(api, stateRuntime), gpu_count: 1, context: 4096, concurrency: 1 });
      const bytes = r.devices.reduce((s, d) => s + (d.components.state || 0), 0) + ((r.host.components || {}).state || 0);
      if (bytes > 0) state = { runtime: stateRuntime, bytes, sequences: 1 };
    } catch (e) {
      state = { error: errorText(e) };
    }
  }

  // Which common GPUs fit it: compare() runs the setup on every catalog GPU and finds the fewest cards.
  const fits = { runtime: officialRuntime, weights: officialFormat, kv_cache_dtype: 'auto', concurrency: 1, ...vocabulary.cardPlan(schema, officialRuntime),
    contexts: [], beyond_window: [], gpus: [] };
  const rows = new Map(COMMON_GPUS.map((g) => [g, null]));
  for (const context of FIT_CONTEXTS) (context > record.context_window ? fits.beyond_window : fits.contexts).push(context);
  // A window shorter than every context of the table (Phi-2's 2K): the table is at the whole window.
  if (!fits.contexts.length && record.context_window > 0) fits.contexts.push(record.context_window);
  for (const context of fits.contexts) {
    const request = { model: id, runtime: officialRuntime, gpu_count: 1, context, concurrency: 1, kv_cache_dtype: 'auto' };
    if (officialFormat) request.weights = officialFormat;
    for (const g of api.compare(request).gpus) {
      if (!rows.has(g.gpu)) continue;
      const row = rows.get(g.gpu) || { gpu: g.gpu, name: g.name, vendor: g.vendor, memory_bytes: g.memory_bytes, cells: {} };
      row.cells[context] = { verdict: g.verdict, fits: g.fits, fewest_gpus: g.fewest_gpus === undefined ? null : g.fewest_gpus, headroom_bytes: g.headroom_bytes === undefined ? null : g.headroom_bytes, error: g.error || null };
      rows.set(g.gpu, row);
    }
  }
  fits.gpus = [...rows.values()].filter(Boolean);
  // The speed line: one request at the first context on the fewest cards of each GPU that hold it.
  fits.speed_context = fits.contexts[0] || null;
  for (const row of fits.gpus) {
    const cell = fits.speed_context ? row.cells[fits.speed_context] : null;
    row.speed = null;
    if (!cell || !cell.fewest_gpus) continue;
    const request = { model: id, runtime: officialRuntime, gpu: row.gpu, gpu_count: cell.fewest_gpus, context: fits.speed_context, concurrency: 1, kv_cache_dtype: 'auto' };
    if (officialFormat) request.weights = officialFormat;
    try {
      const sp = api.estimate(request).speed;
      row.speed = { cards: cell.fewest_gpus, decode_tokens_per_s: sp && sp.decode_tokens_per_s > 0 ? sp.decode_tokens_per_s : null };
    } catch (e) {
      row.speed = { cards: cell.fewest_gpus, decode_tokens_per_s: null, error: errorText(e) };
    }
  }

  // On your own machine: the GGUF llama.cpp loads for this model by default (the registry's choice, e.g. gpt-oss's
  // MXFP4 file), when the catalog lists a published GGUF; fewest cards per context, and on those cards at the first
  // context the longest context and one request's decode speed.
  let local = null;
  const ggufs = (record.checkpoints || []).filter((c) => /^gguf:/.test(c.format));
  if (ggufs.length) {
    let weights = null;
    try {
      weights = api.estimate({ model: id, runtime: LOCAL_RUNTIME, gpu: 'rtx-4090', context: 4096 }).resolved.weights;
    } catch (e) { weights = null; }
    if (!ggufs.some((c) => c.format === weights)) weights = ggufs[0].format;
    local = { runtime: LOCAL_RUNTIME, weights, ...vocabulary.cardPlan(schema, LOCAL_RUNTIME), contexts: fits.contexts.slice(), gpus: [] };
    const localRows = new Map(LOCAL_GPUS.map((g) => [g, null]));
    for (const context of local.contexts) {
      const request = { model: id, runtime: LOCAL_RUNTIME, weights, gpu_count: 1, context, concurrency: 1, kv_cache_dtype: 'auto' };
      let rowsAt = [];
      try { rowsAt = api.compare(request).gpus; } catch (e) { rowsAt = []; }
      for (const g of rowsAt) {
        if (!localRows.has(g.gpu)) continue;
        const row = localRows.get(g.gpu) || { gpu: g.gpu, name: g.name, vendor: g.vendor, memory_bytes: g.memory_bytes, marketed: marketedSize(api, g.gpu), cells: {} };
        row.cells[context] = { verdict: g.verdict, fits: g.fits, fewest_gpus: g.fewest_gpus === undefined ? null : g.fewest_gpus, error: g.error || null };
        localRows.set(g.gpu, row);
      }
    }
    local.gpus = [...localRows.values()].filter(Boolean);
    local.speed_context = local.contexts[0] || null;
    for (const row of local.gpus) {
      const cell = local.speed_context ? row.cells[local.speed_context] : null;
      row.speed = null;
      if (!cell || !cell.fewest_gpus || (row.vendor === 'Apple' && cell.fewest_gpus > 1)) continue;  // a Mac runs it alone
      try {
        const r = api.estimate({ model: id, runtime: LOCAL_RUNTIME, weights, gpu: row.gpu, gpu_count: cell.fewest_gpus, context: local.speed_context, concurrency: 1, kv_cache_dtype: 'auto' });
        row.speed = { cards: cell.fewest_gpus, decode_tokens_per_s: r.speed && r.speed.decode_tokens_per_s > 0 ? r.speed.decode_tokens_per_s : null,
          max_context: r.limits && r.limits.max_context > 0 ? r.limits.max_context : null };
      } catch (e) {
        row.speed = { cards: cell.fewest_gpus, decode_tokens_per_s: null, max_context: null, error: errorText(e) };
      }
    }
  }

  return { id, record, official: officialFormat ? { format: officialFormat, runtime: officialRuntime } : null, checkpoints, kv, state, fits, local,
    names: vocabulary.namesFrom(schema) };
}

module.exports = { COMMON_GPUS, LOCAL_GPUS, FIT_CONTEXTS, KV_CONTEXTS, PROBE_GPU, PROBE_APPLE, runtimeFor, probeGpu, weightsRequest, weightBytes, officialCheckpoint, modelFacts };
