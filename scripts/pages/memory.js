// The "Memory behavior" section: sentences and tables made only from the numbers in facts.js (the
// module's answers) and the catalog's geometry. Every figure is written with its unit.
'use strict';

const { html } = require('./html.js');
const f = require('./format.js');
const { layout } = require('./architecture.js');
const vocabulary = require('./vocabulary.js');

// Runtime and format names are the estimator's schema's, carried in facts.names (facts.js).
/** A runtime's display name, e.g. "llama.cpp" → "llama.cpp", "trtllm" → "TensorRT-LLM". */
function engineName(runtime, names) { return vocabulary.runtimeName(runtime, names); }
/** A format's display name, e.g. "bf16" → "BF16", "gguf:Q4_K_M" → "GGUF Q4_K_M", "awq-int4" → "AWQ 4-bit". */
function formatName(format, names) { return vocabulary.formatName(format, names); }

/** "1, 2, 4, 8 or 16 cards with tensor parallelism": the card counts the estimator tries, and how it splits the model. */
function cardsText(fits) {
  const counts = fits.card_counts || [];
  if (counts.length <= 1) return `${f.plural(counts[0] || 1, 'card')}`;
  const how = fits.layer_split ? ', the layers split across them' : fits.parallel && fits.parallel[0] === 'tensor' ? ' with tensor parallelism' : '';
  return `${f.joinWords(counts.map(String), 'or')} cards${how}`;
}

/** Numbers the section states, in one place (the tests read the same values back from the page). */
function memoryNumbers(facts) {
  const official = facts.official ? facts.checkpoints.find((c) => c.format === facts.official.format) : null;
  const weights = official && official.weights_bytes > 0 ? official.weights_bytes : null;
  const window = facts.record.context_window;
  const full = facts.kv.contexts.find((c) => c.context === window);
  const perToken = facts.kv.bytes_per_token;
  const smallest = facts.checkpoints.filter((c) => c.weights_bytes > 0).sort((a, b) => a.weights_bytes - b.weights_bytes)[0] || null;
  return {
    official,
    weights,
    window,
    kv_full: full ? full.bytes : null,
    kv_per_token: perToken,
    kv_per_1k: perToken * 1000,
    bounded: full && perToken > 0 ? Math.max(full.bytes - perToken * window, 0) : null,
    crossover: facts.kv.crossover,
    smallest,
  };
}

/** A fit-table cell; `most`: the most cards the estimator tried. */
function fitCellText(cell, most) {
  if (!cell) return { text: '\u2014', cls: 'na' };
  if (cell.error) return { text: 'Not supported', cls: 'na' };
  if (cell.fits && cell.fewest_gpus === 1) return { text: cell.verdict === 'tight' ? '1 card (tight)' : '1 card', cls: cell.verdict === 'tight' ? 'tight' : 'fits' };
  if (cell.fits) return { text: `${cell.fewest_gpus} cards`, cls: 'fits' };
  if (cell.fewest_gpus) return { text: `${cell.fewest_gpus} cards`, cls: 'multi' };
  return { text: `More than ${most}`, cls: 'nofit' };
}

/** The most cards the estimator tries on the fit table's runtime. */
function mostCards(fits) { return Math.max(...(fits.card_counts && fits.card_counts.length ? fits.card_counts : [1])); }

function leadParagraphs(facts, n) {
  const rec = facts.record;
  const lay = layout(rec);
  const out = [];
  const fmt = n.official ? formatName(n.official.format, facts.names) : 'default';
  const windowText = f.integer(n.window);
  const x = n.crossover;

  // 1. What dominates.
  const noGrowth = n.kv_per_token === 0 && !lay.sliding && !lay.chunked;
  if (n.weights && noGrowth) {
    out.push(html`<p data-testid="memory-summary"><strong>Weights dominate.</strong> The ${fmt} weights take
      <span data-figure="weights" data-bytes="${n.weights}">${f.gib(n.weights)}</span>, and no layer keeps a KV cache that grows with the context:
      each request holds a fixed-size recurrent state instead.</p>`);
  } else if (n.weights && x && x.kind === 'single') {
    out.push(html`<p data-testid="memory-summary"><strong>Long context dominates.</strong> One request at the full ${windowText}-token context window needs
      <span data-figure="kv-full" data-bytes="${n.kv_full}">${f.gib(n.kv_full)}</span> of KV cache, more than the
      <span data-figure="weights" data-bytes="${n.weights}">${f.gib(n.weights)}</span> of ${fmt} weights. The KV cache overtakes the weights at about
      <span data-figure="crossover" data-context="${x.context}">${f.integer(x.context)} tokens</span> of context.</p>`);
  } else if (n.weights && x && x.kind === 'concurrent') {
    out.push(html`<p data-testid="memory-summary"><strong>Weights dominate.</strong> The ${fmt} weights take
      <span data-figure="weights" data-bytes="${n.weights}">${f.gib(n.weights)}</span>; one request at the full ${windowText}-token context window adds
      <span data-figure="kv-full" data-bytes="${n.kv_full}">${f.bytesText(n.kv_full)}</span> of KV cache (${f.percent(n.kv_full / n.weights)} of the weights).
      The KV cache overtakes the weights only at about <span data-figure="crossover" data-tokens="${x.tokens}" data-requests="${x.requests}">${f.integer(x.tokens)} tokens</span> held at once,
      that is ${f.plural(x.requests, 'concurrent request')} at the full window.</p>`);
  }

  // 2. How the KV cache grows.
  const engine = engineName(facts.kv.runtime, facts.names);
  if (n.kv_per_token > 0) {
    const growing = lay.kinds.filter((k) => /full|latent/i.test(k.kind));
    const bounded = lay.kinds.filter((k) => /sliding|chunk/i.test(k.kind));
    let detail = '';
    if (bounded.length && n.bounded > 0) {
      const what = bounded.map((k) => `${f.integer(k.count)} ${k.kind} layers`);
      const span = lay.sliding && lay.sliding.window ? ` (${f.integer(lay.sliding.window.value)}-token window)`
        : lay.chunked && lay.chunked.chunk ? ` (${f.integer(lay.chunked.chunk.value)}-token chunks)` : '';
      detail = html` Only the ${f.joinWords(growing.map((k) => `${f.integer(k.count)} ${k.kind} layers`))} grow with context; the ${f.joinWords(what)}${span}
        keep a bounded cache, <span data-figure="kv-bounded" data-bytes="${n.bounded}">${f.bytesText(n.bounded)}</span> per request at the full window.`;
    }
    out.push(html`<p>Each token of context adds <span data-figure="kv-per-token" data-bytes="${n.kv_per_token}">${f.bytesText(n.kv_per_token)}</span> of KV cache:
      <span data-figure="kv-per-1k" data-bytes="${n.kv_per_1k}">${f.bytesText(n.kv_per_1k)}</span> per 1,000 tokens (${engine}, KV cache type auto).${detail}</p>`);
  } else if (lay.sliding && n.kv_full > 0) {
    const w = lay.sliding.window ? lay.sliding.window.value : null;
    const longer = w && w >= n.window;
    out.push(html`<p>All ${f.integer(lay.sliding.layers)} attention layers use sliding-window attention${w ? ` with a ${f.integer(w)}-token window` : ''}, so the estimator
      counts no KV growth past the window (<span data-figure="kv-per-1k" data-bytes="0">0 B</span> per 1,000 tokens beyond it).
      ${longer ? `The window is at least as long as the ${windowText}-token context window, so in practice the cache grows over the whole context: ` : 'One request at the full context window holds '}
      <span data-figure="kv-full-window" data-bytes="${n.kv_full}">${f.gib(n.kv_full)}</span>${longer ? ' at the full window' : ' of KV cache'}.</p>`);
  }

  // 3. Special layouts.
  if (lay.mla && lay.mla.kv_lora_rank) {
    const rope = lay.mla.rope_dim ? html` plus ${f.integer(lay.mla.rope_dim.value)} RoPE values` : '';
    out.push(html`<p>Multi-head latent attention: each of the ${f.integer(lay.mla.layers)} layers caches one compressed latent of
      ${f.integer(lay.mla.kv_lora_rank.value)} values${rope} per token, instead of keys and values for each of its ${f.integer(lay.attention_heads)} heads.</p>`);
    if (lay.mla.indexer) {
      const topk = lay.mla.indexer.topk ? html` picks the ${f.integer(lay.mla.indexer.topk.value)} earlier tokens each query attends to; it` : '';
      out.push(html`<p>Sparse attention: a small indexer in every layer${topk} caches one more key of ${f.integer(lay.mla.indexer.head_dim.value)} values per token
        beside the latent (132 bytes in vLLM and SGLang, stored in FP8 with a scale; in llama.cpp's K cache type).</p>`);
    }
  }
  if (lay.recurrent_layers > 0) {
    const kinds = f.joinWords(lay.recurrent.map((k) => `${f.integer(k.count)} ${k.kind}`));
    const state = facts.state && facts.state.bytes > 0
      ? html`: <span data-figure="state" data-bytes="${facts.state.bytes}">${f.bytesText(facts.state.bytes)}</span> per sequence at any context (${engineName(facts.state.runtime, facts.names)}'s recurrent-state buffer)`
      : '';
    out.push(html`<p>${kinds} layers (of ${f.integer(lay.layers)}) keep a fixed-size recurrent state instead of a KV cache${state}.</p>`);
  }
  if (lay.experts) {
    const d = rec.derived;
    out.push(html`<p>Mixture of experts: ${f.params(d.params_active)} of ${f.params(d.params_total)} parameters work on each token
      (${f.integer(lay.experts.per_token)} of ${f.integer(lay.experts.routed)} routed experts), but every expert stays in memory, so the weights are those of all
      ${f.params(d.params_total)} parameters.</p>`);
  }

  // 4. Smaller checkpoints.
  if (n.smallest && n.weights && n.smallest.weights_bytes < n.weights) {
    out.push(html`<p>The smallest published checkpoint, ${formatName(n.smallest.format, facts.names)} on ${engineName(n.smallest.runtime, facts.names)}, brings the weights down to
      <span data-figure="weights-smallest" data-bytes="${n.smallest.weights_bytes}">${f.gib(n.smallest.weights_bytes)}</span>
      (${f.percent(n.smallest.weights_bytes / n.weights)} of ${fmt}).</p>`);
  }

  // 5. Which GPUs, in a sentence per context.
  const fits = facts.fits;
  if (fits.contexts.length && fits.gpus.length) {
    const sentences = fits.contexts.map((c) => {
      const where = `At ${f.tokensShort(c)} context the ${fmt} checkpoint on ${engineName(fits.runtime, facts.names)}`;
      const one = fits.gpus.filter((g) => g.cells[c] && g.cells[c].fits && g.cells[c].fewest_gpus === 1);
      if (one.length) {
        const smallest = [...one].sort((a, b) => a.memory_bytes - b.memory_bytes)[0];
        if (one.length === fits.gpus.length) return `${where} fits on one card of every GPU in the table, down to the ${smallest.name}.`;
        if (one.length <= 3) return `${where} fits on a single ${f.joinWords(one.map((g) => g.name), 'or')}.`;
        return `${where} fits on a single card of ${one.length} of the ${fits.gpus.length} GPUs in the table, the smallest being the ${smallest.name} (${f.gib(smallest.memory_bytes)}).`;
      }
      const best = fits.gpus.filter((g) => g.cells[c] && g.cells[c].fewest_gpus)
        .sort((a, b) => a.cells[c].fewest_gpus * a.memory_bytes - b.cells[c].fewest_gpus * b.memory_bytes)[0];
      return best
        ? `${where} fits on no single GPU in the table; the least memory that holds it is ${best.cells[c].fewest_gpus} × ${best.name}.`
        : `${where} fits on no GPU in the table, even ${mostCards(fits)} cards of one kind.`;
    });
    out.push(html`<p data-testid="memory-fits">${sentences.join(' ')}</p>`);
  }
  return out;
}

function bars(facts, n) {
  if (!n.weights) return '';
  const rows = [{ label: `Weights (${formatName(n.official.format, facts.names)})`, bytes: n.weights, cls: 'weights' }]
    .concat(facts.kv.contexts.map((c) => ({ label: `KV cache, one request at ${f.tokensShort(c.context)}`, bytes: c.bytes, cls: 'kv' })));
  const max = Math.max(...rows.map((r) => r.bytes), 1);
  return html`<ul class="bars" aria-label="Weights against the KV cache of one request">
    ${rows.map((r) => html`<li class="bar bar-${r.cls}"><span class="bar-label">${r.label}</span>
      <svg class="bar-track" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect class="bar-fill" x="0" y="0" height="8" width="${Math.max((r.bytes / max) * 100, 0.4).toFixed(2)}"></rect></svg>
      <span class="bar-value">${f.gib(r.bytes)}</span></li>`)}
  </ul>`;
}

function weightsTable(facts, n) {
  const rows = facts.checkpoints.map((c) => {
    const repos = c.repos.filter((r) => /^[\w.-]+\/[\w.-]+$/.test(r.repo));
    const links = repos.map((r) => html`<a class="repo" href="https://huggingface.co/${r.repo}" rel="noopener external">${r.repo}</a>`);
    const share = n.weights && c.weights_bytes > 0 ? f.percent(c.weights_bytes / n.weights) : '\u2014';
    const value = c.weights_bytes > 0 ? f.gib(c.weights_bytes) : 'not estimated';
    const host = c.host_bytes > 0 ? html`<small>incl. ${f.bytesText(c.host_bytes)} in host RAM</small>` : '';
    return html`<tr data-format="${c.format}" data-runtime="${c.runtime}" data-bytes="${c.weights_bytes || ''}"${c.error ? html` title="${c.error}"` : ''}>
      <th scope="row"><span class="format-name">${formatName(c.format, facts.names)}</span>${c.official ? html` <span class="tag">official</span>` : ''}${links}</th>
      <td>${engineName(c.runtime, facts.names)}</td>
      <td class="num">${value}${host}</td>
      <td class="num col-share">${share}</td></tr>`;
  });
  return html`<div class="table-scroll" tabindex="0" role="region" aria-labelledby="weights-caption">
    <table class="data weights-table" data-testid="weights-table">
      <caption id="weights-caption">Weights of each published checkpoint, as the engine that runs its format loads them</caption>
      <thead><tr><th scope="col">Checkpoint</th><th scope="col">Engine</th><th scope="col" class="num">Weights</th><th scope="col" class="num col-share">vs. official</th></tr></thead>
      <tbody>${rows}</tbody>
    </table></div>`;
}

function kvTable(facts, n) {
  const lay = layout(facts.record);
  const rows = facts.kv.contexts.map((c) => html`<tr data-context="${c.context}" data-bytes="${c.bytes}">
    <th scope="row">${f.integer(c.context)} tokens${c.context === n.window ? html` <span class="tag">context window</span>` : ''}</th>
    <td class="num">${f.gib(c.bytes)}</td>
    <td class="num">${n.weights ? f.percent(c.bytes / n.weights) : '\u2014'}</td></tr>`);
  return html`<div class="table-scroll" tabindex="0" role="region" aria-labelledby="kv-caption">
    <table class="data" data-testid="kv-table">
      <caption id="kv-caption">KV cache of one request (${engineName(facts.kv.runtime, facts.names)} defaults on an ${facts.kv.gpu_name}, KV cache type auto${layout(facts.record).recurrent_layers ? '; includes the recurrent state the engine keeps in the same pool' : ''})</caption>
      <thead><tr><th scope="col">Context</th><th scope="col" class="num">KV cache</th><th scope="col" class="num">vs. weights</th></tr></thead>
      <tbody>${rows}
        <tr class="per-1k" data-bytes="${n.kv_per_1k}"><th scope="row">Per 1,000 tokens${lay.sliding || lay.chunked ? ' past the windows' : ''}</th><td class="num">${f.bytesText(n.kv_per_1k)}</td><td class="num"></td></tr>
      </tbody>
    </table></div>`;
}


/** A fit table's row heading: the card or Mac and its memory. */
const deviceHeading = (g) => html`<th scope="row">${g.name} <small>${f.gib(g.memory_bytes)}</small></th>`;

/** A fit table's cell for one context: the fewest cards (or why not), with the verdict and count as data. */
const fitCell = (c, cell, t) =>
  html`<td class="fit fit-${t.cls}" data-context="${c}" data-verdict="${cell ? cell.verdict : ''}" data-fewest="${cell && cell.fewest_gpus ? cell.fewest_gpus : ''}"${cell && cell.error ? html` title="${cell.error}"` : ''}>${t.text}</td>`;

/** Decode speed as the tables write it: whole tokens/s from 100 up, one decimal below; unknown without a rate. */
const rateText = (rate) => (rate ? `${rate >= 100 ? f.integer(rate) : rate.toFixed(1)} tokens/s` : 'unknown');
function fitsTable(facts) {
  const fits = facts.fits;
  if (!fits.gpus.length) return '';
  const fmt = fits.weights ? formatName(fits.weights, facts.names) : 'default';
  const head = fits.contexts.map((c) => html`<th scope="col">${f.tokensShort(c)} context</th>`);
  const speedHead = fits.speed_context ? html`<th scope="col" class="num">Decode, one request <small>at ${f.tokensShort(fits.speed_context)}, rough</small></th>` : '';
  const speedCell = (g) => {
    if (!fits.speed_context) return '';
    const s = g.speed;
    if (!s) return html`<td class="num speed" data-speed="">\u2014</td>`;
    const rate = s.decode_tokens_per_s;
    return html`<td class="num speed" data-speed="${rate || ''}" data-cards="${s.cards}"${s.error ? html` title="${s.error}"` : ''}>${rateText(rate)}${s.cards > 1 ? html` <small>on ${s.cards} cards</small>` : ''}</td>`;
  };
  const rows = fits.gpus.map((g) => html`<tr data-gpu="${g.gpu}">
    ${deviceHeading(g)}
    ${fits.contexts.map((c) => fitCell(c, g.cells[c], fitCellText(g.cells[c], mostCards(fits))))}${speedCell(g)}</tr>`);
  const beyond = fits.beyond_window.length
    ? html`<p class="note">${f.joinWords(fits.beyond_window.map((c) => f.tokensShort(c)))} context is beyond this model's ${f.integer(facts.record.context_window)}-token context window, so the table stops at ${f.tokensShort(fits.contexts[fits.contexts.length - 1])}.</p>`
    : '';
  return html`<div class="table-scroll" tabindex="0" role="region" aria-labelledby="fits-caption">
    <table class="data fits-table" data-testid="fits-table">
      <caption id="fits-caption">Fewest cards that fit the ${fmt} checkpoint on ${engineName(fits.runtime, facts.names)} (one request, KV type auto; ${cardsText(fits)})${fits.speed_context ? html`, and how fast one request decodes on them: a rough estimate from each card's memory bandwidth (the calculator shows its assumptions)` : ''}</caption>
      <thead><tr><th scope="col">GPU <small>memory</small></th>${head}${speedHead}</tr></thead>
      <tbody>${rows}</tbody>
    </table></div>${beyond}`;
}

const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'];
const countWord = (n) => NUMBER_WORDS[n] || f.integer(n);

/** "At 4K context its GGUF Q4_K_M on llama.cpp runs on two 24 GiB cards (RTX 3090 or RTX 4090) ...": the least memory that holds it. */
function localSentence(facts) {
  const local = facts.local;
  const c = local.speed_context;
  if (!c) return '';
  const fmt = formatName(local.weights, facts.names);
  const where = `At ${f.tokensShort(c)} context the ${fmt} file on ${engineName(local.runtime, facts.names)}`;
  const fitting = local.gpus.filter((g) => g.cells[c] && g.cells[c].fewest_gpus);
  const cards = fitting.filter((g) => g.vendor !== 'Apple');
  const macs = fitting.filter((g) => g.vendor === 'Apple' && g.cells[c].fewest_gpus === 1);
  const parts = [];
  if (cards.length) {
    const least = Math.min(...cards.map((g) => g.cells[c].fewest_gpus * g.memory_bytes));
    const best = cards.filter((g) => g.cells[c].fewest_gpus * g.memory_bytes === least)[0];
    const n = best.cells[c].fewest_gpus;
    const size = Math.round(best.memory_bytes / f.GIB);
    const same = cards.filter((g) => g.cells[c].fewest_gpus === n && Math.round(g.memory_bytes / f.GIB) === size);
    // Cards are sold by their marketed size ("24 GB"); the sentence names it when the catalog gives one, and the
    // memory the driver reports beside it.
    const sold = same.every((g) => g.marketed && g.marketed === same[0].marketed) ? same[0].marketed : '';
    const kind = sold ? `${sold} cards (${size} GiB each: ` : `${size} GiB cards (`;
    const names = same.map((g) => g.name);
    parts.push(n === 1 ? `runs on a single ${sold ? `${sold} card (${size} GiB: ` : `${size} GiB card (`}${f.joinWords(names, 'or')})` : `runs on ${countWord(n)} ${kind}${f.joinWords(names.map((s) => `${n} × ${s}`), 'or')})`);
  }
  if (macs.length) {
    const mac = [...macs].sort((a, b) => a.memory_bytes - b.memory_bytes)[0];
    parts.push(`${cards.length ? 'and ' : 'runs '}on a Mac with ${f.gib(mac.memory_bytes)} of unified memory (${mac.name})`);
  }
  if (!parts.length) return `${where} fits on none of the cards and Macs below, even ${mostCards(local)} cards of one kind.`;
  return `${where} ${parts.join(' ')}.`;
}

// A Mac is one machine: it holds the model alone or not at all.
function oneMac(g, cell) {
  return g.vendor === 'Apple' && cell && cell.fewest_gpus > 1 ? { ...cell, fewest_gpus: null, fits: false } : cell;
}

function localTable(facts) {
  const local = facts.local;
  if (!local || !local.gpus.length) return '';
  const fmt = formatName(local.weights, facts.names);
  const head = local.contexts.map((c) => html`<th scope="col">${f.tokensShort(c)} context</th>`);
  const c0 = local.speed_context;
  const rows = local.gpus.map((g) => {
    const s = g.vendor === 'Apple' && g.speed && g.speed.cards > 1 ? null : g.speed;
    const rate = s && s.decode_tokens_per_s;
    return html`<tr data-gpu="${g.gpu}">
    ${deviceHeading(g)}
    ${local.contexts.map((c) => {
      const cell = oneMac(g, g.cells[c]);
      return fitCell(c, cell, g.vendor === 'Apple' && cell && !cell.fewest_gpus && !cell.error ? { text: 'Does not fit', cls: 'nofit' } : fitCellText(cell, mostCards(local)));
    })}
    <td class="num max-context" data-max-context="${s && s.max_context ? s.max_context : ''}">${s && s.max_context ? `${f.integer(s.max_context)} tokens` : '\u2014'}</td>
    <td class="num speed" data-speed="${rate || ''}" data-cards="${s ? s.cards : ''}"${s && s.error ? html` title="${s.error}"` : ''}>${s ? rateText(rate) : '\u2014'}</td></tr>`;
  });
  return html`<p data-testid="local-fits-summary">${localSentence(facts)}</p>
    <div class="table-scroll" tabindex="0" role="region" aria-labelledby="local-caption">
    <table class="data fits-table" data-testid="local-fits-table" data-weights="${local.weights}" data-runtime="${local.runtime}">
      <caption id="local-caption">Fewest cards that fit the ${fmt} file on ${engineName(local.runtime, facts.names)} (one request, KV type auto; ${cardsText(local)}); on those cards at ${f.tokensShort(c0)}: the longest context one request can have, and its rough decode speed</caption>
      <thead><tr><th scope="col">Card or Mac <small>memory</small></th>${head}<th scope="col" class="num">Longest context</th><th scope="col" class="num">Decode, one request</th></tr></thead>
      <tbody>${rows}</tbody>
    </table></div>`;
}

function memorySection(facts) {
  const n = memoryNumbers(facts);
  return html`<div class="memory-lead">${leadParagraphs(facts, n)}</div>
    ${bars(facts, n)}
    <h3>Weights per checkpoint</h3>
    ${weightsTable(facts, n)}
    <h3>KV cache per request</h3>
    ${kvTable(facts, n)}
    <h3>Which GPUs fit it</h3>
    ${fitsTable(facts)}
    ${facts.local ? html`<h3>On your own machine: ${formatName(facts.local.weights, facts.names)} on ${engineName(facts.local.runtime, facts.names)}</h3>
    ${localTable(facts)}` : ''}`;
}

module.exports = { memorySection, memoryNumbers, formatName, engineName, fitCellText };
