// The engine vocabulary of the pages, read from the estimator's engine registry (api.schema()): runtime and
// format names, which runtime loads a checkpoint format, card counts and parallel layouts. Nothing here lists a
// runtime or a format; the facts carry the names a page needs (facts.names), so rendering needs no module.
'use strict';

const GGUF_PREFIX = 'gguf:';  // the estimator's GGUF format ids: "gguf:" and the file type

/** Names for rendering: { runtimes: {id: name}, formats: {id: name} } (GGUF file types are named by rule). */
function namesFrom(schema) {
  return {
    runtimes: Object.fromEntries(schema.runtimes.map((r) => [r.id, r.name])),
    formats: Object.fromEntries(schema.formats.map((f) => [f.id, f.name])),
  };
}

/** A checkpoint format's display name: the schema's (every format the estimator reads is in schema.formats). */
function formatName(format, names) {
  const s = String(format || '');
  return names && names.formats && names.formats[s] ? names.formats[s] : s;
}

/** A runtime's display name from its id. */
function runtimeName(runtime, names) {
  return (names && names.runtimes && names.runtimes[runtime]) || String(runtime || '');
}

/** The family of a format id: the schema's, "gguf" for a GGUF file type, '' if unknown. */
function formatFamily(schema, format) {
  const known = schema.formats.find((f) => f.id === format);
  if (known) return known.family;
  return String(format).startsWith(GGUF_PREFIX) ? 'gguf' : '';
}

/**
 * The engine that loads a checkpoint format natively: the first runtime of the registry whose families include
 * the format's (GGUF → llama.cpp, MLX → MLX, safetensors → vLLM with today's registry); the default runtime when
 * none does.
 */
function runtimeFor(schema, format) {
  const family = formatFamily(schema, format);
  const r = schema.runtimes.find((rt) => rt.loads.includes(family)) || schema.runtimes.find((rt) => rt.formats.includes(format));
  return r ? r.id : schema.default_runtime;
}

function runtimeEntry(schema, id) {
  return schema.runtimes.find((r) => r.id === id) || schema.runtimes.find((r) => r.id === schema.default_runtime);
}

/** The card counts the estimator tries for fewest_gpus on a runtime, and how it spreads a model over them. */
function cardPlan(schema, id) {
  const r = runtimeEntry(schema, id);
  return { card_counts: r.card_counts.slice(), parallel: r.parallel.slice(), layer_split: Boolean(r.layer_split), vendors: r.vendors.slice() };
}

module.exports = { namesFrom, formatName, runtimeName, formatFamily, runtimeFor, runtimeEntry, cardPlan };
