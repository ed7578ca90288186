// What a model page says about a model's layout, read from the module's derived geometry
// (api.model(id).derived) and, for fields the geometry does not summarise, from the model's config.json.
// The config is read, never reinterpreted: each special field names the config key it shows.
'use strict';

const ATTENTION_KINDS = /attention/i;          // full, sliding-window, chunked local, multi-head latent
const RECURRENT_KINDS = /mamba|ssm|linear attention/i;

/** Multimodal configs keep the language model's fields under text_config (or llm_config). */
function textConfig(record) {
  const c = record.config || {};
  return c.text_config || c.llm_config || c;
}

function firstNumber(config, keys) {
  for (const k of keys) {
    const v = config[k];
    if (typeof v === 'number' && Number.isFinite(v)) return { key: k, value: v };
  }
  return null;
}

const CLASS_LABELS = {
  dense: 'Dense decoder-only transformer',
  moe: 'Mixture-of-experts decoder-only transformer',
  hybrid: 'Hybrid: attention plus recurrent-state layers',
  'hybrid-moe': 'Hybrid mixture-of-experts: attention plus recurrent-state layers',
  ssm: 'State-space model (no attention layers)',
};

/** Short class names for filters and chips. */
const CLASS_SHORT = { dense: 'Dense', moe: 'MoE', hybrid: 'Hybrid', 'hybrid-moe': 'Hybrid MoE', ssm: 'SSM' };

/**
 * The layout in numbers: layer kinds with counts, KV-bearing layers, and the fields that matter for the
 * special kinds (sliding window, chunk size, MLA ranks, recurrent layers, experts, KV sharing).
 */
function layout(record) {
  const d = record.derived || {};
  const c = textConfig(record);
  const kinds = Object.entries(d.layer_kinds || {}).map(([kind, count]) => ({ kind, count }));
  const attentionLayers = kinds.filter((k) => ATTENTION_KINDS.test(k.kind) && !RECURRENT_KINDS.test(k.kind)).reduce((s, k) => s + k.count, 0);
  const recurrent = kinds.filter((k) => RECURRENT_KINDS.test(k.kind));
  const kvShared = firstNumber(c, ['num_kv_shared_layers']);
  const shared = kvShared && kvShared.value > 0 ? kvShared.value : 0;
  const out = {
    layers: d.layers || 0,
    hidden_size: d.hidden_size || 0,
    attention_heads: d.attention_heads || 0,
    kv_heads: d.kv_heads || 0,
    head_dim: d.head_dim || 0,
    kinds,
    attention_layers: attentionLayers,
    // Layers that share another layer's cache (Gemma 3n / 4 KV sharing) keep none of their own.
    kv_layers: Math.max(attentionLayers - shared, 0),
    kv_shared_layers: shared,
    recurrent,
    recurrent_layers: recurrent.reduce((s, k) => s + k.count, 0),
    vocab_size: typeof c.vocab_size === 'number' ? c.vocab_size : null,
  };
  // Gemma 4 gives its full-attention ("global") layers their own KV heads and head width; the geometry's
  // kv_heads and head_dim are those of the sliding-window layers.
  const globalKv = firstNumber(c, ['num_global_key_value_heads']);
  const globalDim = firstNumber(c, ['global_head_dim']);
  if (globalKv || globalDim) out.global = { kv_heads: globalKv, head_dim: globalDim };
  const sliding = kinds.find((k) => /sliding/i.test(k.kind));
  if (sliding) out.sliding = { layers: sliding.count, window: firstNumber(c, ['sliding_window', 'sliding_window_size']) };
  const chunked = kinds.find((k) => /chunk/i.test(k.kind));
  if (chunked) out.chunked = { layers: chunked.count, chunk: firstNumber(c, ['attention_chunk_size']) };
  const mla = kinds.find((k) => /latent/i.test(k.kind));
  if (mla) {
    out.mla = {
      layers: mla.count,
      kv_lora_rank: firstNumber(c, ['kv_lora_rank']),
      q_lora_rank: firstNumber(c, ['q_lora_rank']),
      rope_dim: firstNumber(c, ['qk_rope_head_dim']),
    };
    const indexDim = firstNumber(c, ['index_head_dim']);
    if (indexDim) {
      out.mla.indexer = { head_dim: indexDim, heads: firstNumber(c, ['index_n_heads']), topk: firstNumber(c, ['index_topk']) };
    }
  }
  if (recurrent.length) {
    out.ssm = {
      state_size: firstNumber(c, ['ssm_state_size', 'mamba_d_state', 'state_size']),
      heads: firstNumber(c, ['mamba_num_heads', 'mamba_n_heads', 'linear_num_value_heads']),
      key_heads: firstNumber(c, ['linear_num_key_heads']),
      key_head_dim: firstNumber(c, ['linear_key_head_dim']),
      value_head_dim: firstNumber(c, ['linear_value_head_dim', 'mamba_head_dim', 'mamba_d_head']),
    };
  }
  if (d.experts > 0) {
    out.experts = {
      routed: d.experts,
      per_token: d.experts_per_token || 0,
      shared: firstNumber(c, ['n_shared_experts', 'num_shared_experts', 'moe_num_shared_experts', 'num_shared_expert']),
    };
  }
  return out;
}

function classLabel(cls) { return CLASS_LABELS[cls] || String(cls || 'unknown'); }
function classShort(cls) { return CLASS_SHORT[cls] || String(cls || 'unknown'); }

module.exports = { textConfig, layout, classLabel, classShort, CLASS_SHORT };
