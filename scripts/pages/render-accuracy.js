// accuracy.html: the figures of accuracy.js as tables, one per engine and component, each with its summary line.
'use strict';

const { html, fill, linkify } = require('./html.js');
const f = require('./format.js');
const { groups } = require('./accuracy.js');

/** A value with its unit: "50.30 GiB", "420,905 tokens", "11.12×", "0.036 s". */
function withUnit(x, decimals, unit) {
  const n = f.fixed(x, decimals);
  if (unit === '×') return `${n}×`;
  return unit ? `${n} ${unit}` : n;
}

/** Signed percent with one decimal: "+1.2%", "−3.4%", "0.0%" when it rounds to zero. */
function signedPercent(pct) {
  const shown = Math.abs(pct).toFixed(1);
  if (Number(shown) === 0) return '0.0%';
  return `${pct > 0 ? '+' : '\u2212'}${shown}%`;
}

const GITHUB_REF = /\b([A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*)#(\d+)\b/g;

/**
 * A source as text with links: http(s) URLs, and GitHub references (owner/repo#N) as links to the issue or pull
 * request on github.com (github.com/owner/repo/issues/N opens either). Other text stays text.
 */
function sourceHtml(text) {
  return linkify(text).map((part) => {
    if (typeof part !== 'string') return part;
    const out = [];
    let last = 0;
    for (const m of part.matchAll(GITHUB_REF)) {
      out.push(part.slice(last, m.index));
      out.push(html`<a href="${`https://github.com/${m[1]}/issues/${m[2]}`}" rel="noopener external">${m[0]}</a>`);
      last = m.index + m[0].length;
    }
    out.push(part.slice(last));
    return out;
  });
}

function slug(text) { return String(text).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''); }

function sectionId(engine, component) { return `${slug(engine)}-${slug(component)}`; }

/** "13 figures · median |error| 1.2% · 15 of 15 within the row's tolerance · 2 without a % error". */
function summaryText(s) {
  const parts = [f.plural(s.count, 'figure')];
  parts.push(s.median_abs_error_pct == null ? 'no % error' : `median |error| ${s.median_abs_error_pct.toFixed(1)}%`);
  if (s.with_tolerance) parts.push(`${s.within_tolerance} of ${s.with_tolerance} within the row's tolerance`);
  if (s.count > s.with_error) parts.push(`${s.count - s.with_error} without a % error`);
  return parts.join(' · ');
}

function errorCell(fig) {
  if (fig.error_pct == null) return html`<td class="num" data-col="error" data-label="Error">—<small>${fig.why}</small></td>`;
  const tol = fig.tolerance_pct == null ? '' : html`<small>tolerance ±${f.fixed(fig.tolerance_pct, 0)}%</small>`;
  return html`<td class="num" data-col="error" data-label="Error">${signedPercent(fig.error_pct)}${tol}</td>`;
}

function figureRow(fig) {
  const estimate = fig.estimate == null ? html`unknown` : withUnit(fig.estimate, fig.estimate_decimals, fig.unit);
  return html`          <tr data-figure data-row="${fig.row}" data-engine="${fig.engine}" data-component="${fig.component}">
            <th scope="row">${fig.row}<small>${fig.label}</small></th>
            <td class="setup" data-col="setup" data-label="Setup as published">${fig.setup}<small>Estimated as: ${fig.estimated_as}</small></td>
            <td class="num" data-col="published" data-label="Published">${withUnit(fig.published, fig.published_decimals, fig.unit)}</td>
            <td class="num" data-col="estimate" data-label="Estimate">${estimate}</td>
            ${errorCell(fig)}
            <td class="source" data-col="source" data-label="Source">${sourceHtml(fig.source)}</td>
          </tr>
`;
}

function componentSection(engine, c) {
  const id = sectionId(engine.engine, c.id);
  return html`      <h3 id="${id}">${c.title}</h3>
      <p class="kicker" data-summary="${id}">${summaryText(c.summary)}</p>
      <div class="table-scroll" tabindex="0" role="region" aria-labelledby="${id}">
        <table class="data accuracy-table">
          <thead><tr><th scope="col">Run</th><th scope="col">Setup as published</th><th scope="col" class="num">Published</th><th scope="col" class="num">Estimate</th><th scope="col" class="num">Error</th><th scope="col">Source</th></tr></thead>
          <tbody>
${c.figures.map(figureRow)}          </tbody>
        </table>
      </div>
`;
}

function engineSection(engine) {
  const id = `engine-${slug(engine.engine)}`;
  return html`    <section id="${id}" aria-labelledby="${id}-title" data-engine-section="${engine.engine}">
      <h2 id="${id}-title">${engine.name}</h2>
${engine.components.map((c) => componentSection(engine, c))}    </section>
`;
}

function summaryTable(engines) {
  const rows = [];
  for (const e of engines) {
    e.components.forEach((c, i) => {
      const s = c.summary;
      rows.push(html`          <tr data-summary-row="${sectionId(e.engine, c.id)}">
            ${i === 0 ? html`<th scope="rowgroup" rowspan="${e.components.length}">${e.name}</th>` : ''}<td><a href="#${sectionId(e.engine, c.id)}">${c.title}</a></td>
            <td class="num">${f.integer(s.count)}</td>
            <td class="num">${s.median_abs_error_pct == null ? '—' : `${s.median_abs_error_pct.toFixed(1)}%`}</td>
            <td class="num">${s.with_tolerance ? `${s.within_tolerance} of ${s.with_tolerance}` : '—'}</td>
          </tr>
`);
    });
  }
  return html`      <div class="table-scroll" tabindex="0" role="region" aria-labelledby="summary-title">
        <table class="data accuracy-summary">
          <thead><tr><th scope="col">Engine</th><th scope="col">Figure</th><th scope="col" class="num">Figures</th><th scope="col" class="num">Median |error|</th><th scope="col" class="num">Within tolerance</th></tr></thead>
          <tbody>
${rows}          </tbody>
        </table>
      </div>`;
}

function failedSection(failed) {
  if (!failed.length) return html``;
  return html`    <section id="refused" aria-labelledby="refused-title">
      <h2 id="refused-title">Setups the estimator refused</h2>
      <p class="kicker">These runs have a request, but the estimator answered with an error, so their figures have no estimate.</p>
      <ul class="refused-list">
${failed.map((r) => html`        <li data-refused="${r.row}"><strong>${r.row}</strong> (${r.setup}): <code>${r.error.code}</code>${r.error.field ? html` in <code>${r.error.field}</code>` : ''}: ${r.error.message}. Source: ${sourceHtml(r.source)}</li>
`)}      </ul>
    </section>
`;
}

/**
 * "GiB for vLLM, SGLang and TensorRT-LLM (SGLang writes “GB” for 2^30 bytes), GB (10^9 bytes) for MLX, MiB for llama.cpp
 * and Ollama": the memory units of the figures, with the engines that print them.
 */
function unitsText(engines) {
  const byUnit = new Map();
  for (const e of engines) {
    for (const c of e.components) {
      for (const fig of c.figures) {
        if (fig.unit !== 'GiB' && fig.unit !== 'MiB' && fig.unit !== 'GB') continue;
        if (!byUnit.has(fig.unit)) byUnit.set(fig.unit, []);
        if (!byUnit.get(fig.unit).includes(e)) byUnit.get(fig.unit).push(e);
      }
    }
  }
  return [...byUnit.entries()].map(([unit, es]) => {
    // SGLang's logs say "GB" for what is 2^30 bytes (tests/data/serving-startup-logs.json).
    const note = es.some((e) => e.engine === 'sglang') ? ` (${es.find((e) => e.engine === 'sglang').name} writes “GB” for 2^30 bytes)` : '';
    return `${unit === 'GB' ? 'GB (10^9 bytes)' : unit} for ${f.joinWords(es.map((e) => e.name))}${note}`;
  }).join(', ');
}

/** accuracy.html from accuracyFigures' result; `schema`: the module's engine registry (the order of the engines). */
function accuracyPage(result, schema, templates, opts = {}) {
  const engines = groups(result, schema);
  const body = fill(templates.accuracy, {
    figures: f.integer(result.figures.length),
    runs: f.integer(result.runs),
    units: unitsText(engines),
    summary: summaryTable(engines),
    engines: html`${engines.map(engineSection)}`,
    failed: failedSection(result.failed),
  });
  return fill(templates.layout, {
    title: 'Accuracy: estimates against published logs and benchmarks | FitMyGPU',
    description: f.clip(`${result.figures.length} figures from published engine startup logs and benchmarks beside FitMyGPU's estimate for the same setup, with the error of each and the median per engine.`),
    head: opts.canonical ? html`  <link rel="canonical" href="${opts.canonical}">` : html``,
    root: '',
    scripts: html``,
    page_class: 'accuracy-page',
    nav_calculator: html``,
    nav_models: html``,
    nav_accuracy: html` aria-current="page"`,
    body,
  });
}

module.exports = { accuracyPage, sourceHtml, signedPercent, summaryText };
