// One model page: the seed's sections filled from the catalog record (api.model(id)) and the module's
// answers gathered in facts.js.
'use strict';

const { html, fill, isWebUrl, linkify } = require('./html.js');
const f = require('./format.js');
const { layout, classLabel, classShort } = require('./architecture.js');
const { memorySection, formatName, engineName } = require('./memory.js');
const { FIT_CONTEXTS } = require('./facts.js');

function fact(key, label, value, note) {
  return html`<div class="fact" data-fact="${key}"><dt>${label}</dt><dd>${value}${note ? html`<small>${note}</small>` : ''}</dd></div>`;
}

function factRows(rec) {
  const d = rec.derived || {};
  const lay = layout(rec);
  const rows = [
    fact('company', 'Company', rec.company),
    fact('family', 'Family', rec.family),
    fact('release-date', 'Release date', html`<time datetime="${rec.release_date}">${f.date(rec.release_date)}</time>`),
    fact('architecture', 'Architecture', classLabel(rec.architecture_class)),
    fact('license', 'License', rec.license),
    fact('modality', 'Modality', f.modality(rec.modality), rec.modality && rec.modality !== 'text' ? 'Memory figures cover the language model and the encoders the engine loads.' : ''),
    fact('context-window', 'Context window', `${f.integer(rec.context_window)} tokens`),
  ];
  const pub = rec.published_params || {};
  const totalNote = [`${f.integer(d.params_total)} counted from config.json`];
  if (pub.total && Math.abs(d.params_total / pub.total - 1) > 0.005) totalNote.push(`published: ${pub.exact ? f.integer(pub.total) : f.params(pub.total)}`);
  rows.push(fact('params-total', 'Total params', f.params(d.params_total), totalNote.join('; ')));
  if (lay.experts) {
    const activeNote = [`${f.integer(d.params_active)} per token`];
    if (pub.active) activeNote.push(`published: ${f.params(pub.active)}`);
    rows.push(fact('params-active', 'Active params', f.params(d.params_active), activeNote.join('; ')));
  } else {
    rows.push(fact('params-active', 'Active params', 'Dense model', 'every parameter works on every token'));
  }
  rows.push(fact('layers', 'Layers', f.integer(lay.layers)));
  rows.push(fact('hidden-size', 'Hidden size', f.integer(lay.hidden_size)));
  rows.push(fact('attention-heads', 'Attention heads', lay.attention_heads ? f.integer(lay.attention_heads) : 'None (no attention layers)'));
  let kvHeadsNote = '';
  if (lay.mla) kvHeadsNote = 'keys and values are rebuilt from one cached latent per token (MLA)';
  else if (lay.kv_heads && lay.attention_heads && lay.kv_heads < lay.attention_heads) kvHeadsNote = lay.kv_heads === 1 ? 'multi-query attention' : `grouped-query attention: ${f.integer(lay.attention_heads / lay.kv_heads)} query heads per KV head`;
  const g = lay.global && lay.sliding ? lay.global : null;
  if (g && g.kv_heads) kvHeadsNote = `in the sliding-window layers; ${f.integer(g.kv_heads.value)} in the full-attention layers (config.json ${g.kv_heads.key})`;
  rows.push(fact('kv-heads', 'KV heads', lay.kv_heads ? f.integer(lay.kv_heads) : 'None', kvHeadsNote));
  // For MLA the geometry's head_dim is hidden / heads, not a cached width; the MLA row gives the real dimensions.
  if (lay.head_dim && !lay.mla) {
    const note = g && g.head_dim ? `in the sliding-window layers; ${f.integer(g.head_dim.value)} in the full-attention layers (config.json ${g.head_dim.key})` : '';
    rows.push(fact('head-dim', 'Head dimension', f.integer(lay.head_dim), note));
  }
  const kvNotes = [];
  if (lay.kv_shared_layers) kvNotes.push(`${f.integer(lay.kv_shared_layers)} more attention layers reuse the KV cache of earlier layers (num_kv_shared_layers)`);
  if (lay.recurrent_layers) kvNotes.push(`${f.integer(lay.recurrent_layers)} recurrent layers keep a fixed-size state instead`);
  rows.push(fact('kv-layers', 'KV-bearing layers', lay.kv_layers === lay.layers ? f.integer(lay.kv_layers) : `${f.integer(lay.kv_layers)} of ${f.integer(lay.layers)}`, kvNotes.join('; ')));
  if (lay.kinds.length > 1 || (lay.kinds.length === 1 && !/^full attention$/.test(lay.kinds[0].kind))) {
    rows.push(fact('layer-kinds', 'Layer layout', lay.kinds.map((k) => `${f.integer(k.count)} ${k.kind}`).join(' · ')));
  }
  if (lay.sliding) {
    const w = lay.sliding.window;
    rows.push(fact('sliding-window', 'Sliding-window layers', w ? `${f.integer(lay.sliding.layers)}, window ${f.integer(w.value)} tokens` : f.integer(lay.sliding.layers), w ? `config.json ${w.key}` : ''));
  }
  if (lay.chunked) {
    const c = lay.chunked.chunk;
    rows.push(fact('chunked-attention', 'Chunked-attention layers', c ? `${f.integer(lay.chunked.layers)}, chunks of ${f.integer(c.value)} tokens` : f.integer(lay.chunked.layers), c ? `config.json ${c.key}` : ''));
  }
  if (lay.mla) {
    const parts = [];
    const keys = [];
    if (lay.mla.kv_lora_rank) { parts.push(`KV latent rank ${f.integer(lay.mla.kv_lora_rank.value)}`); keys.push('kv_lora_rank'); }
    if (lay.mla.rope_dim) { parts.push(`RoPE dims ${f.integer(lay.mla.rope_dim.value)}`); keys.push('qk_rope_head_dim'); }
    if (lay.mla.q_lora_rank) { parts.push(`query rank ${f.integer(lay.mla.q_lora_rank.value)}`); keys.push('q_lora_rank'); }
    if (parts.length) rows.push(fact('mla', 'Multi-head latent attention', parts.join(', '), `config.json ${keys.join(', ')}`));
    const ix = lay.mla.indexer;
    if (ix) {
      const ip = [];
      const ik = [ix.head_dim.key];
      if (ix.heads) { ip.push(`${f.integer(ix.heads.value)} heads × ${f.integer(ix.head_dim.value)}`); ik.unshift(ix.heads.key); } else ip.push(`key width ${f.integer(ix.head_dim.value)}`);
      if (ix.topk) { ip.push(`keeps the top ${f.integer(ix.topk.value)} tokens`); ik.push(ix.topk.key); }
      rows.push(fact('sparse-attention', 'Sparse attention indexer', ip.join(', '), `config.json ${ik.join(', ')}`));
    }
  }
  if (lay.recurrent_layers) {
    const s = lay.ssm || {};
    const parts = [];
    const keys = [];
    if (s.state_size) { parts.push(`state size ${f.integer(s.state_size.value)}`); keys.push(s.state_size.key); }
    if (s.key_heads && s.key_head_dim) { parts.push(`${f.integer(s.key_heads.value)} key heads × ${f.integer(s.key_head_dim.value)}`); keys.push(s.key_heads.key, s.key_head_dim.key); }
    if (s.heads) { parts.push(`${f.integer(s.heads.value)} ${s.key_heads ? 'value ' : ''}heads${s.value_head_dim ? ` × ${f.integer(s.value_head_dim.value)}` : ''}`); keys.push(s.heads.key); if (s.value_head_dim) keys.push(s.value_head_dim.key); }
    const what = lay.recurrent.map((k) => `${f.integer(k.count)} ${k.kind}`).join(' · ');
    rows.push(fact('recurrent', 'Linear-attention / SSM layers', parts.length ? `${what}; ${parts.join(', ')}` : what, keys.length ? `config.json ${keys.join(', ')}` : ''));
  }
  if (lay.experts) {
    const e = lay.experts;
    const shared = e.shared && e.shared.value > 0 ? `, ${f.integer(e.shared.value)} shared` : '';
    rows.push(fact('experts', 'Experts', `${f.integer(e.routed)} routed, ${f.integer(e.per_token)} per token${shared}`));
  }
  if (lay.vocab_size) rows.push(fact('vocab', 'Vocabulary', `${f.integer(lay.vocab_size)} tokens`));
  return rows;
}

function cards(items, testid) {
  const list = (items || []).filter((c) => c && (c.title || c.text));
  if (!list.length) return html`<p class="note">The catalog has no text for this section yet.</p>`;
  return html`<div class="cards" data-testid="${testid}">${list.map((c) => html`<article class="card"><h3>${c.title}</h3><p>${c.text}</p></article>`)}</div>`;
}

const SOURCE_LABELS = { config: 'config.json', params: 'Parameter count', release: 'Release date', license: 'License', checkpoints: 'Checkpoints' };

function sources(rec) {
  const links = ((rec.page && rec.page.sources) || []).filter((s) => isWebUrl(s.url));
  if (rec.hf_repo && /^[\w.-]+\/[\w.-]+$/.test(rec.hf_repo) && !links.some((s) => s.url.replace(/\/$/, '') === `https://huggingface.co/${rec.hf_repo}`)) {
    links.push({ title: `${rec.hf_repo} on Hugging Face`, url: `https://huggingface.co/${rec.hf_repo}` });
  }
  const groups = Object.entries(rec.sources || {}).filter(([, v]) => typeof v === 'string' && v);
  const pub = rec.published_params || {};
  return html`<ul class="source-list" data-testid="sources">${links.map((s) => html`<li><a href="${s.url}" rel="noopener external">${s.title || s.url}</a></li>`)}</ul>
    <details class="provenance">
      <summary>Where each catalog field comes from</summary>
      <dl>${groups.map(([k, v]) => html`<dt>${SOURCE_LABELS[k] || k}</dt><dd>${linkify(v)}</dd>`)}
      ${pub.source ? html`<dt>Published parameter count</dt><dd>${pub.total ? `${f.integer(pub.total)}${pub.exact ? '' : ' (rounded)'}: ` : ''}${linkify(pub.source)}${pub.note ? html`<br><span class="note">${pub.note}</span>` : ''}</dd>` : ''}</dl>
    </details>`;
}

function chips(rec) {
  const d = rec.derived || {};
  const items = [
    classShort(rec.architecture_class),
    d.params_active && d.params_active !== d.params_total ? `${f.params(d.params_total)} total · ${f.params(d.params_active)} active` : `${f.params(d.params_total)} parameters`,
    `${f.tokensShort(rec.context_window)} context`,
    f.modality(rec.modality),
    rec.license,
  ];
  return items.map((t) => html`<li class="chip">${t}</li>`);
}

/** The engine of the official checkpoint (the one the memory section uses, facts.kv.runtime). */
function officialRuntime(facts) { return facts.official ? facts.official.runtime : facts.kv.runtime; }

// The widget opens on a setup that fits a card people have, at 4K: the official checkpoint on its engine on one
// RTX 4090 when it fits there; else the popular GGUF on llama.cpp on one or two of them; else the official checkpoint
// on the fewest H100s; else (nothing fits) the official checkpoint on one RTX 4090, which says so.
const WIDGET_GPU = 'rtx-4090';
const WIDGET_DATACENTER_GPU = 'h100-sxm-80gb';
// The context: the fit table's first (4K), or the model's whole window when that is shorter.
const WIDGET_MOST_LOCAL_CARDS = 2;
function widgetContext(facts) { return (facts.fits && facts.fits.contexts[0]) || FIT_CONTEXTS[0]; }
function widgetSetup(facts) {
  const context = widgetContext(facts);
  const cellOf = (table, gpu) => {
    const row = table && table.gpus.find((g) => g.gpu === gpu);
    return row ? row.cells[context] : null;
  };
  const official = { runtime: officialRuntime(facts), weights: facts.official ? facts.official.format : null };
  const onCard = cellOf(facts.fits, WIDGET_GPU);
  if (onCard && onCard.fits && onCard.fewest_gpus === 1) return { ...official, gpu: WIDGET_GPU, gpu_count: 1 };
  const local = cellOf(facts.local, WIDGET_GPU);
  if (local && local.fewest_gpus && local.fewest_gpus <= WIDGET_MOST_LOCAL_CARDS)
    return { runtime: facts.local.runtime, weights: facts.local.weights, gpu: WIDGET_GPU, gpu_count: local.fewest_gpus };
  const server = cellOf(facts.fits, WIDGET_DATACENTER_GPU);
  if (server && server.fewest_gpus) return { ...official, gpu: WIDGET_DATACENTER_GPU, gpu_count: server.fewest_gpus };
  return { ...official, gpu: WIDGET_GPU, gpu_count: 1 };
}

function widgetAttributes(facts) {
  const w = widgetSetup(facts);
  return html`gpu="${w.gpu}" gpu-count="${w.gpu_count}" runtime="${w.runtime}"${w.weights ? html` weights="${w.weights}"` : ''} context="${widgetContext(facts)}"`;
}

function describe(facts) {
  const rec = facts.record;
  const d = rec.derived || {};
  const fmt = facts.official ? formatName(facts.official.format, facts.names) : '';
  const lead = `${rec.name} (${rec.company}): ${f.params(d.params_total)} ${classShort(rec.architecture_class).toLowerCase()} model, ${f.integer(rec.context_window)}-token context.`;
  const official = facts.checkpoints.find((c) => facts.official && c.format === facts.official.format);
  const mem = official && official.weights_bytes ? ` ${fmt} weights ${f.gib(official.weights_bytes)}; KV cache ${f.bytesText(facts.kv.bytes_per_token * 1000)} per 1K tokens; which GPUs fit it.` : '';
  return f.clip(lead + mem, 170);
}

function modelPage(facts, templates, options = {}) {
  const rec = facts.record;
  const hf = rec.hf_repo && /^[\w.-]+\/[\w.-]+$/.test(rec.hf_repo)
    ? html`        <a class="button secondary" href="https://huggingface.co/${rec.hf_repo}" rel="noopener external">Model card on Hugging Face</a>` : html``;
  const body = fill(templates.model, {
    id: rec.id,
    name: rec.name,
    company: rec.company || '',
    summary: (rec.page && rec.page.summary) || '',
    chips: html`${chips(rec)}`,
    calculator_href: `../index.html?model=${encodeURIComponent(rec.id)}`,
    hf_link: hf,
    widget_attributes: widgetAttributes(facts),
    facts: html`${factRows(rec)}`,
    highlights: cards(rec.page && rec.page.highlights, 'highlights'),
    release_context: cards(rec.page && rec.page.release_context, 'release-context'),
    strengths: cards(rec.page && rec.page.strengths, 'strengths'),
    memory: memorySection(facts),
    sources: sources(rec),
  });
  return fill(templates.layout, {
    title: `${rec.name}: VRAM, KV cache and GPU fit | FitMyGPU`,
    description: describe(facts),
    head: options.canonical ? html`  <link rel="canonical" href="${options.canonical}">` : html``,
    root: '../',
    scripts: html`  <script src="../fitmygpu.js" defer></script>
  <script src="../widget/fitmygpu-widget.js" defer></script>
  <script src="../pages/model-page.js" defer></script>`,
    page_class: 'model-page',
    nav_calculator: html``,
    nav_models: html``,
    nav_accuracy: html``,
    body,
  });
}

module.exports = { modelPage, factRows, describe, engineName };
