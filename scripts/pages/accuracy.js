// The figures of the accuracy page: every number a published engine startup log or benchmark printed
// (tests/data), beside the estimate for the request that reproduces its setup, asked of the module at build
// time. Nothing here estimates memory or speed: it reads which field of the estimate answers each printed
// figure, and the relative error of the two as the page shows them.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const MIB = 2 ** 20;
const GIB = 2 ** 30;

/** The data files, in the order their figures are listed. */
const DATA_FILES = ['vllm-startup-logs.json', 'serving-startup-logs.json', 'mlx-peak-memory.json', 'llamacpp-startup-logs.json', 'llamacpp-compute-logs.json', 'speed-results.json'];

/** Reads the data files from `dir` (tests/data): { name: parsed JSON }. */
function readData(dir) {
  return Object.fromEntries(DATA_FILES.map((name) => [name, JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'))]));
}

/** The figures the page groups by, in page order, with their headings. */
const COMPONENTS = [
  { id: 'weights', title: 'Weights' },
  { id: 'kv_cache', title: 'KV cache' },
  { id: 'kv_tokens', title: 'KV cache capacity in tokens' },
  { id: 'concurrency', title: 'Maximum concurrency' },
  { id: 'activations', title: 'Activations and compute buffers' },
  { id: 'state', title: 'Recurrent state' },
  { id: 'non_torch', title: 'Non-torch memory' },
  { id: 'cuda_graphs', title: 'CUDA graphs' },
  { id: 'cuda_graphs_profiled', title: 'CUDA graphs as vLLM estimates them at startup' },
  { id: 'peak', title: 'Peak memory' },
  { id: 'decode', title: 'Decode speed per request' },
  { id: 'total', title: 'Batched decode throughput' },
  { id: 'prefill', title: 'Prefill speed' },
  { id: 'ttft', title: 'Time to first token' },
];

/** Engines whose figures are listed under another's: Ollama runs llama.cpp's engine. */
const LISTED_WITH = { ollama: 'llama.cpp' };

/** A speed row's metric → the estimate's speed field and the page's component. */
const SPEED = {
  decode: { field: 'decode_tokens_per_s', component: 'decode', unit: 'tokens/s' },
  total: { field: 'total_decode_tokens_per_s', component: 'total', unit: 'tokens/s' },
  prefill: { field: 'prefill_tokens_per_s', component: 'prefill', unit: 'tokens/s' },
  ttft_s: { field: 'ttft_s', component: 'ttft', unit: 's' },
};

/** What a speed row's category says about its setup. */
const SPEED_CATEGORIES = {
  single_gpu: 'one device', offload: 'partly in system RAM', multi_gpu: 'several GPUs', batched: 'many requests at once', prefill: 'prompt processing', ttft: 'first token',
};

/** Decimals a number was written with in the data (280.7 → 1, 5586 → 0). */
function decimalsOf(x) {
  const s = String(x);
  if (/e/i.test(s)) return 4;
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** Decimals that keep three significant digits of x (0.133 → 3, 50.3 → 1, 5586 → 0). */
function significantDecimals(x) {
  if (!(Math.abs(x) > 0)) return 0;
  return Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
}

/**
 * One figure: the published number, the estimate in the same unit, and the signed error computed from the two as
 * they are shown (the published figure with its printed decimals, the estimate with at least as many and at
 * least three significant digits). A figure of zero or below has no relative error.
 */
function figure(base, published, estimate, unit, publishedDecimals, missing) {
  const estDecimals = estimate == null ? null : Math.max(publishedDecimals, Math.min(4, significantDecimals(estimate)));
  const shownEstimate = estimate == null ? null : Number(estimate.toFixed(estDecimals));
  let error = null;
  let why = null;
  if (shownEstimate == null) why = missing || 'not estimated';
  else if (!(published > 0)) why = 'no relative error for a figure of zero or below';
  else error = ((shownEstimate - published) / published) * 100;
  return { ...base, unit, published, published_decimals: publishedDecimals, estimate: shownEstimate, estimate_decimals: estDecimals, error_pct: error, why };
}

/** Bytes of the estimate's breakdown items with `label` on `device` (-1: host memory), or null when it has none. */
function itemBytes(estimate, label, device) {
  const items = estimate.breakdown.filter((b) => b.label === label && b.device === device);
  return items.length ? { bytes: items.reduce((s, b) => s + b.bytes, 0), component: items[0].component } : null;
}

/** Where a figure sits: "GPU 0", "host memory". */
function deviceWords(device) { return device < 0 ? 'host memory' : `GPU ${device}`; }

/** The breakdown labels of one component on device 0 (what the estimate calls it). */
function componentLabel(estimate, component) {
  const labels = [...new Set(estimate.breakdown.filter((b) => b.device === 0 && b.component === component).map((b) => b.label))];
  return labels.join(' + ');
}

// The figures of one row of each file. `e` is the estimate for the row's request.

/**
 * vLLM, SGLang and TensorRT-LLM: per-GPU components in GiB (engine builds: MiB) as printed, KV capacity in tokens,
 * maximum concurrency; mlx-lm: its peak memory in GB as printed (mx.get_peak_memory() / 1e9; releases before 0.20.0
 * divided by 2**30, peak_gib), beside the device's whole requirement.
 */
function servingFigures(row, e, base) {
  const out = [];
  const device = e.devices[0] || { components: {} };
  for (const [name, want] of Object.entries(row.logged_gib || {})) {
    const got = device.components[name];
    // Two decimals, as the engines print GiB, or the figure's own where the log printed more (TensorRT-LLM's bytes).
    out.push(figure({ ...base, component: name, label: componentLabel(e, name) || name }, want, got == null ? null : got / GIB, 'GiB', Math.max(2, decimalsOf(want))));
  }
  // TensorRT engine builds print MiB: the loaded engine (weights) and the execution context (activations).
  const printed = { weights: 'the loaded TensorRT engine', activations: 'the execution context (TensorRT activations)' };
  for (const [name, want] of Object.entries(row.engine_mib || {})) {
    const got = device.components[name];
    out.push(figure({ ...base, component: name, label: printed[name] || name }, want, got == null ? null : got / MIB, 'MiB', 2));
  }
  // cuda_graphs_profiled: vLLM ≥ 0.20.1's "Estimated CUDA graph memory", which the budget sets aside (the CUDA graphs item).
  const other = { non_torch: 'non-torch memory', cuda_graphs: 'CUDA graphs', cuda_graphs_profiled: 'CUDA graphs' };
  // vLLM's "Graph capturing finished ..., took X GiB" is compared with the estimate's own reading of that line
  // (engine_figures), which in some releases is the graph pool less the cached memory the capture releases.
  const took = e.engine_figures ? e.engine_figures.cuda_graph_capture_took_bytes : undefined;
  // "Estimated CUDA graph memory" is printed from 0.17, before the budget takes it (0.20.1): the estimate's own figure.
  const profiled = e.engine_figures ? e.engine_figures.cuda_graph_profiled_estimate_bytes : undefined;
  for (const [name, want] of Object.entries(row.other_gib || {})) {
    if (name === 'cuda_graphs' && took != null) {
      out.push(figure({ ...base, component: name, label: 'CUDA graphs, as the capture line reports them' }, want, took / GIB, 'GiB', 2));
      continue;
    }
    // Where the release's capture line measures something the estimate does not fix, the estimate says why.
    const tookUnknown = e.engine_figures_unknown ? e.engine_figures_unknown.cuda_graph_capture_took_bytes : undefined;
    if (name === 'cuda_graphs' && tookUnknown) {
      out.push(figure({ ...base, component: name, label: 'CUDA graphs, as the capture line reports them' }, want, null, 'GiB', 2, tookUnknown));
      continue;
    }
    if (name === 'cuda_graphs_profiled' && profiled != null) {
      out.push(figure({ ...base, component: name, label: 'CUDA graphs, as the profiling estimate reports them' }, want, profiled / GIB, 'GiB', 2));
      continue;
    }
    // SGLang's graphs sit outside its static pool, an item of that name.
    const item = other[name] ? itemBytes(e, other[name], 0) || (name === 'cuda_graphs' ? itemBytes(e, 'CUDA graphs (outside the static pool)', 0) : null) : null;
    // Model Runner V2's logs give "consumed memory (weights + non-torch)": beyond the weights, that includes the penalty
    // counts it allocates at start-up, an item of its own in the estimate.
    const penalties = name === 'non_torch' ? itemBytes(e, 'penalties state', 0) : null;
    const bytes = item ? item.bytes + (penalties ? penalties.bytes : 0) : null;
    out.push(figure({ ...base, component: name, label: penalties ? 'non-torch memory and penalty counts' : other[name] || name }, want,
      bytes == null ? null : bytes / GIB, 'GiB', 2, 'the estimate has no such item'));
  }
  if (row.tokens != null) {
    out.push(figure({ ...base, component: 'kv_tokens', label: 'tokens the KV cache holds' }, row.tokens, e.kv_cache.capacity_tokens, 'tokens', 0));
  }
  if (row.concurrency != null) {
    out.push(figure({ ...base, component: 'concurrency', label: 'requests of the full context at once' }, row.concurrency, e.kv_cache.max_concurrency, '×', 2));
  }
  if (row.peak_gb != null) {
    out.push(figure({ ...base, component: 'peak', label: 'weights, cache and the largest prefill transient' }, row.peak_gb,
      device.required_bytes == null ? null : device.required_bytes / 1e9, 'GB', Math.max(2, decimalsOf(row.peak_gb))));
  }
  // mlx-lm before 0.20.0 printed the same "GB" label for get_peak_memory() / 2**30.
  if (row.peak_gib != null) {
    out.push(figure({ ...base, component: 'peak', label: 'weights, cache and the largest prefill transient' }, row.peak_gib,
      device.required_bytes == null ? null : device.required_bytes / GIB, 'GiB', Math.max(2, decimalsOf(row.peak_gib))));
  }
  return out;
}

/** Ollama's printed estimate figures ("3.7 GiB", "896.0 MiB") in MiB, by name: { name: [MiB, decimals] }. */
function ollamaPrintedMib(row) {
  const out = {};
  for (const [name, printed] of Object.entries(row.ollama_offload || {})) {
    const m = /^(\d+(?:\.\d+)?) (GiB|MiB)$/.exec(String(printed));
    if (!m) continue;  // layer counts and figures under 1 MiB are not memory in MiB
    const value = Number(m[1]) * (m[2] === 'GiB' ? 1024 : 1);
    out[name] = [Number(value.toFixed(decimalsOf(m[1]))), decimalsOf(m[1])];
  }
  return out;
}

/** Which component an Ollama estimate figure belongs to. */
const OLLAMA_COMPONENT = { kv: 'kv_cache', weights: 'weights', graph: 'activations', required: 'peak' };

/**
 * llama.cpp and Ollama: buffers in MiB as printed, "label@device" (device -1 = host memory); for Ollama releases
 * that print their own estimate ("offload to" line), each of its memory figures beside the same figure modelled from
 * Ollama's source (the estimate's engine_figures), in MiB.
 */
function llamacppFigures(row, e, base) {
  const ollama = Object.entries(ollamaPrintedMib(row)).map(([name, [want, decimals]]) => {
    const got = e.engine_figures ? e.engine_figures[name] : undefined;
    const part = name.split('.')[1] === 'required' && name.endsWith('.kv') ? 'kv' : name.split('.')[1];
    return figure({ ...base, component: OLLAMA_COMPONENT[part] || 'peak', label: `Ollama's own estimate, ${name} (printed ${row.ollama_offload[name]})`, tolerance_pct: null },
      want, got == null ? null : got / MIB, 'MiB', decimals, 'the estimate does not model this Ollama release');
  });
  return ollama.concat(Object.entries(row.logged_mib || {}).map(([key, want]) => {
    const at = key.lastIndexOf('@');
    const label = at < 0 ? key : key.slice(0, at);
    const device = at < 0 ? 0 : Number(key.slice(at + 1));
    const item = itemBytes(e, label, device);
    const component = item ? item.component : (/KV cache/.test(label) ? 'kv_cache' : 'activations');
    return figure({ ...base, component, label: `${label}, ${deviceWords(device)}`, tolerance_pct: row.tolerance_pct == null ? null : row.tolerance_pct },
      want, item ? item.bytes / MIB : null, 'MiB', Math.max(2, decimalsOf(want)), 'the estimate has no such buffer');
  }));
}

/**
 * Published speed: decode, batched total, prefill (tokens/s) or time to first token (s). Serving benchmarks with
 * input_tokens and output_tokens count output tokens over the whole run: the batch's prompts are prefilled, then
 * its outputs decoded, so the estimate is B × out / (B × in / prefill + B × out / total decode).
 */
function speedFigures(row, e, base) {
  const m = SPEED[row.metric];
  if (!m) return [figure({ ...base, component: 'decode', label: row.metric }, row.measured, null, '', decimalsOf(row.measured), `unknown metric ${row.metric}`)];
  let got = e.speed ? e.speed[m.field] : null;
  let label = SPEED_CATEGORIES[row.category] || row.category;
  if (got != null && row.input_tokens) {
    const b = row.request.concurrency || 1;
    const prefill = e.speed.prefill_tokens_per_s;
    got = prefill ? (b * row.output_tokens) / ((b * row.input_tokens) / prefill + (b * row.output_tokens) / got) : null;
    label = `${label}; output tokens over the whole run (${row.input_tokens} in, ${row.output_tokens} out per request)`;
  }
  return [figure({ ...base, component: m.component, label }, row.measured, got == null ? null : got, m.unit, decimalsOf(row.measured), 'unknown for this device')];
}

/** A source that says "(as V-1)" and has no URL of its own gets the URL of the row it refers to. */
function withReferredUrl(source, sourceOf) {
  const ref = /\(as ([\w.-]+)\)/.exec(source);
  if (!ref || /https?:\/\//.test(source)) return source;
  const url = /https?:\/\/[^\s"'<>,]+/.exec(sourceOf.get(ref[1]) || '');
  return url ? `${source}, ${url[0]}` : source;
}

/** The engine a row's figures are listed under. */
function engineOf(row) {
  const runtime = (row.request && row.request.runtime) || row.engine || '';
  return LISTED_WITH[runtime] || runtime;
}

/** "Estimated as": the request as the estimate resolved it, in words. */
function requestWords(request, e, names, models) {
  const parts = [];
  if (request.model) parts.push((models.get(request.model) || {}).name || request.model);
  else if (request.config) {
    const c = request.config;
    parts.push(`a config.json (${(c.architectures && c.architectures[0]) || c.model_type || 'model'}, ${c.num_hidden_layers} layers, hidden size ${c.hidden_size})`);
  }
  const r = e.resolved || {};
  if (r.weights) parts.push((names.formats && names.formats[r.weights]) || r.weights);
  const counts = new Map();
  for (const d of e.devices || []) counts.set(d.name, (counts.get(d.name) || 0) + 1);
  parts.push(counts.size ? [...counts.entries()].map(([name, n]) => `${n} × ${name}`).join(' + ') : 'no GPU (system RAM only)');
  if (r.context) parts.push(`context ${r.context.toLocaleString('en-US')}`);
  if (r.concurrency) parts.push(`${r.concurrency.toLocaleString('en-US')} ${r.concurrency === 1 ? 'request' : 'requests'}`);
  const runtime = (names.runtimes && names.runtimes[r.runtime]) || r.runtime || request.runtime;
  parts.push(r.version ? `${runtime} ${r.version}` : runtime);
  const knobs = Object.entries(request.engine || {}).filter(([k]) => k !== 'version').map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(',') : v}`);
  if (knobs.length) parts.push(knobs.join(', '));
  return parts.filter(Boolean).join(', ');
}

/**
 * Every figure of the data files with a request, beside the estimate: { figures, failed }. `api` is the module
 * (api.estimate, api.schema, api.models); a request the module refuses is listed in `failed` with its error.
 */
function accuracyFigures(api, data) {
  const schema = api.schema();
  const names = {
    runtimes: Object.fromEntries(schema.runtimes.map((r) => [r.id, r.name])),
    formats: Object.fromEntries(schema.formats.map((f) => [f.id, f.name])),
  };
  const models = new Map(api.models().map((m) => [m.id, m]));
  const figures = [];
  const failed = [];
  const runs = [];
  for (const file of DATA_FILES) {
    const rows = (data[file] && data[file].rows) || [];
    const sourceOf = new Map(rows.map((r) => [String(r.id), r.source_url || r.source || '']));
    for (const row of rows) {
      if (!row.request) continue;
      const base = {
        file,
        row: String(row.id),
        engine: engineOf(row),
        setup: row.settings || row.setup || row.note || '',
        source: withReferredUrl(row.source_url || row.source || '', sourceOf),
      };
      let e;
      try {
        e = api.estimate(row.request);
      } catch (err) {
        failed.push({ ...base, error: { code: err.code || 'error', field: err.field || '', message: err.message || String(err) } });
        continue;
      }
      base.estimated_as = requestWords(row.request, e, names, models);
      runs.push(base.row);
      const perFile = file === 'speed-results.json' ? speedFigures : /^llamacpp-/.test(file) ? llamacppFigures : servingFigures;
      figures.push(...perFile(row, e, base));
    }
  }
  return { figures, failed, runs: runs.length, engines: engineNames(schema) };
}

/** Engine id → heading: the schema's name, with the engines listed under it ("llama.cpp and Ollama"). */
function engineNames(schema) {
  const out = {};
  for (const r of schema.runtimes) {
    const with_ = Object.entries(LISTED_WITH).filter(([, host]) => host === r.id).map(([id]) => (schema.runtimes.find((x) => x.id === id) || { name: id }).name);
    if (LISTED_WITH[r.id]) continue;
    out[r.id] = with_.length ? `${r.name} and ${with_.join(' and ')}` : r.name;
  }
  return out;
}

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  if (!s.length) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Figures grouped by engine (the schema's order) and component (COMPONENTS' order), each group with its summary:
 * count, how many have an error, median |error| in %, and how many of those carrying a tolerance are within it.
 */
function groups(result, schema) {
  const order = schema.runtimes.map((r) => r.id);
  const engines = [...new Set(result.figures.map((f) => f.engine))].sort((a, b) => rank(order, a) - rank(order, b));
  return engines.map((engine) => {
    const mine = result.figures.filter((f) => f.engine === engine);
    const known = COMPONENTS.map((c) => c.id);
    const ids = [...new Set(mine.map((f) => f.component))].sort((a, b) => rank(known, a) - rank(known, b));
    return {
      engine,
      name: result.engines[engine] || engine,
      components: ids.map((id) => {
        const figures = mine.filter((f) => f.component === id);
        return { id, title: (COMPONENTS.find((c) => c.id === id) || { title: id }).title, figures, summary: summarize(figures) };
      }),
    };
  });
}

function rank(list, x) { const i = list.indexOf(x); return i < 0 ? list.length : i; }

function summarize(figures) {
  const errors = figures.filter((f) => f.error_pct != null).map((f) => Math.abs(f.error_pct));
  const tol = figures.filter((f) => f.tolerance_pct != null && f.error_pct != null);
  return {
    count: figures.length,
    with_error: errors.length,
    median_abs_error_pct: median(errors),
    with_tolerance: tol.length,
    within_tolerance: tol.filter((f) => Math.abs(f.error_pct) <= f.tolerance_pct).length,
  };
}

module.exports = { DATA_FILES, COMPONENTS, readData, accuracyFigures, groups, summarize, median, decimalsOf, significantDecimals, ollamaPrintedMib };
