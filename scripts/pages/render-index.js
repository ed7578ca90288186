// The model index (models/index.html): every model as a static table row that works without JavaScript;
// web/pages/js/model-index.js adds the filters and the "fits on my GPU" check on top.
'use strict';

const { html, fill } = require('./html.js');
const f = require('./format.js');
const { classShort, CLASS_SHORT } = require('./architecture.js');
const vocabulary = require('./vocabulary.js');

/** Size buckets by total parameters (the filter's options), smallest first. */
const SIZE_BUCKETS = [
  { id: 'under-4b', label: 'Under 4B', max: 4e9 },
  { id: '4b-16b', label: '4B to 16B', max: 16e9 },
  { id: '16b-40b', label: '16B to 40B', max: 40e9 },
  { id: '40b-100b', label: '40B to 100B', max: 100e9 },
  { id: '100b-300b', label: '100B to 300B', max: 300e9 },
  { id: '300b-plus', label: '300B and more', max: Infinity },
];

function sizeBucket(params) { return SIZE_BUCKETS.find((b) => params < b.max).id; }

/** "Apache-2.0" and "Apache 2.0" are the same license, written two ways in the catalog. */
function licenseKey(license) { return String(license || 'Unknown').trim().replace(/^Apache[- ]2\.0$/i, 'Apache 2.0'); }

function byName(a, b) { return a.name.localeCompare(b.name, 'en', { numeric: true }); }

function options(values) {
  return values.map(([value, label]) => html`            <option value="${value}">${label}</option>\n`);
}

function counted(records, key) {
  const counts = new Map();
  for (const r of records) counts.set(key(r), (counts.get(key(r)) || 0) + 1);
  return [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true })).map(([v, n]) => [v, `${v} (${n})`]);
}

function gpuOptions(gpus) {
  const vendors = new Map();
  for (const g of [...gpus].sort(byName)) {
    const v = g.vendor || 'Other';
    if (!vendors.has(v)) vendors.set(v, []);
    vendors.get(v).push(g);
  }
  return [...vendors.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([vendor, list]) => html`              <optgroup label="${vendor}">
${list.map((g) => html`                <option value="${g.id}" data-class="${g.class || ''}" data-vendor="${g.vendor || ''}">${g.name}${typeof g.memory_mib === 'number' ? ` (${f.gib(g.memory_mib * 1048576)})` : ''}</option>\n`)}              </optgroup>\n`);
}

/** The card counts offered: the ones the default runtime tries for the fewest cards (api.schema()). */
function countOptions(schema) {
  const counts = vocabulary.runtimeEntry(schema, schema.default_runtime).card_counts;
  return counts.map((n) => html`              <option value="${n}"${n === counts[0] ? html` selected` : ''}>${n}</option>\n`);
}

/** One table row; `schema`: the estimator's engine registry (the engine of each format), `names` its names. */
function row(rec, schema, names) {
  const d = rec.derived;
  const formats = [...new Set((rec.checkpoints || []).map((c) => c.format))];
  const search = [rec.name, rec.id, rec.family, rec.company, ...(rec.aliases || []), rec.hf_repo].filter(Boolean).join(' ').toLowerCase();
  const moe = d.params_active && d.params_active !== d.params_total;
  return html`          <tr data-id="${rec.id}" data-family="${rec.family}" data-company="${rec.company}" data-size="${sizeBucket(d.params_total)}" data-class="${rec.architecture_class}" data-license="${licenseKey(rec.license)}" data-formats="${formats.join(' ')}" data-search="${search}">
            <th scope="row"><a href="${rec.id}.html">${rec.name}</a><small>${rec.company} · ${rec.family}</small></th>
            <td class="num" data-label="Parameters">${f.params(d.params_total)}${moe ? html`<small>${f.params(d.params_active)} active</small>` : ''}</td>
            <td data-label="Architecture">${classShort(rec.architecture_class)}</td>
            <td class="num" data-label="Context">${f.tokensShort(rec.context_window)}</td>
            <td data-label="License" class="license">${rec.license}</td>
            <td data-label="Released"><time datetime="${rec.release_date}">${f.date(rec.release_date)}</time></td>
            <td data-label="Checkpoints" class="formats"><ul class="fmt-list">${formats.map((fm) => html`<li class="fmt" data-format="${fm}" data-family="${vocabulary.formatFamily(schema, fm)}" data-runtime="${vocabulary.runtimeFor(schema, fm)}"><span class="fmt-name">${vocabulary.formatName(fm, names)}</span><span class="fmt-verdict"></span></li>`)}</ul></td>
          </tr>
`;
}

/** "vLLM for safetensors checkpoints, llama.cpp for GGUF files and MLX for MLX conversions": the first engine of the registry that loads each family. */
function engineRule(schema) {
  const what = { safetensors: 'safetensors checkpoints', gguf: 'GGUF files', mlx: 'MLX conversions' };
  const seen = new Set();
  const parts = [];
  for (const r of schema.runtimes) {
    for (const fam of r.loads) {
      if (seen.has(fam)) continue;
      seen.add(fam);
      parts.push(`${r.name} for ${what[fam] || fam}`);
    }
  }
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts.join('');
}

/** models/index.html; opts.schema: the estimator's engine registry (api.schema()). */
function indexPage(records, gpus, templates, opts) {
  const schema = opts.schema;
  const names = vocabulary.namesFrom(schema);
  const sorted = [...records].sort(byName);
  const classes = Object.keys(CLASS_SHORT).filter((c) => sorted.some((r) => r.architecture_class === c));
  const body = fill(templates.index, {
    count: String(sorted.length),
    family_options: html`${options(counted(sorted, (r) => r.family))}`,
    company_options: html`${options(counted(sorted, (r) => r.company))}`,
    size_options: html`${options(SIZE_BUCKETS.filter((b) => sorted.some((r) => sizeBucket(r.derived.params_total) === b.id)).map((b) => [b.id, b.label]))}`,
    class_options: html`${options(classes.map((c) => [c, CLASS_SHORT[c]]))}`,
    license_options: html`${options(counted(sorted, (r) => licenseKey(r.license)))}`,
    gpu_options: html`${gpuOptions(gpus)}`,
    count_options: html`${countOptions(schema)}`,
    engine_rule: engineRule(schema),
    rows: html`${sorted.map((r) => row(r, schema, names))}`,
  });
  return fill(templates.layout, {
    title: 'All models: VRAM, architecture and GPU fit | FitMyGPU',
    description: f.clip(`${sorted.length} open-weight LLMs with their architecture, memory behavior and which GPUs fit them. Filter by family, company, size, architecture and license, or by what fits on your GPU.`),
    head: opts.canonical ? html`  <link rel="canonical" href="${opts.canonical}">` : html``,
    root: '../',
    scripts: html`  <script src="../fitmygpu.js" defer></script>
  <script src="../pages/model-index.js" defer></script>`,
    page_class: 'index-page',
    nav_calculator: html``,
    nav_models: html` aria-current="page"`,
    nav_accuracy: html``,
    body,
  });
}


module.exports = { indexPage, sizeBucket, licenseKey, SIZE_BUCKETS };
