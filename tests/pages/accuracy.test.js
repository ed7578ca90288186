// accuracy.html: every figure of the published startup logs and benchmarks in tests/data that has a request, shown
// beside the estimate, with an error that follows from the two shown numbers, a source that links only to http(s),
// and per-section summaries that agree with the rows. Expected counts and figures are read from the JSON files.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { before, describe, test } = require('node:test');
const { ROOT, GIB, loadApi, read, text, decode } = require('./support.js');
const { accuracyFigures, readData, DATA_FILES, ollamaPrintedMib } = require('../../scripts/pages/accuracy.js');
const { accuracyPage, sourceHtml, signedPercent } = require('../../scripts/pages/render-accuracy.js');
const { readTemplates } = require('../../scripts/pages/site.js');

const DATA_DIR = path.join(ROOT, 'tests', 'data');
const data = Object.fromEntries(DATA_FILES.map((f) => [f, JSON.parse(fs.readFileSync(path.join(DATA_DIR, f), 'utf8'))]));

/** The figures a data row prints, by its file's shape (see each file's "about"/"description"). */
function printed(file, row) {
  if (file === 'speed-results.json') return [row.measured];
  // Ollama's own estimate prints GiB or MiB with one decimal; the page shows it in MiB.
  if (file.startsWith('llamacpp-')) return [...Object.values(row.logged_mib || {}), ...Object.values(ollamaPrintedMib(row)).map(([mib]) => mib)];
  return [...Object.values(row.logged_gib || {}), ...Object.values(row.other_gib || {}), ...Object.values(row.engine_mib || {}),
    ...(row.tokens != null ? [row.tokens] : []), ...(row.concurrency != null ? [row.concurrency] : []), ...(row.peak_gb != null ? [row.peak_gb] : []), ...(row.peak_gib != null ? [row.peak_gib] : [])];
}

const withRequest = DATA_FILES.flatMap((file) => data[file].rows.filter((r) => r.request).map((row) => ({ file, row })));

/** "3,090.00 MiB" → { value: 3090, decimals: 2, unit: 'MiB' }; "11.12×" → unit '×'. */
function quantity(cell) {
  const m = /^(-?[\d,]+(?:\.(\d+))?)\s*(GiB|MiB|GB|tokens\/s|tokens|s|×)$/.exec(cell);
  if (!m) return null;
  return { value: Number(m[1].replace(/,/g, '')), decimals: m[2] ? m[2].length : 0, unit: m[3] };
}

/** "+1.2%" / "−3.4%" / "0.0%" → number; "—" → null. */
function percent(cell) {
  const m = /^([+\u2212-]?)(\d+\.\d)%/.exec(cell);
  if (!m) return null;
  return (m[1] === '\u2212' || m[1] === '-' ? -1 : 1) * Number(m[2]);
}

function cell(rowHtml, col) {
  const m = new RegExp(`<td[^>]*data-col="${col}"[^>]*>([\\s\\S]*?)</td>`).exec(rowHtml);
  return m ? m[1] : null;
}

/** The shown text of a cell, without its <small> note. */
function mainText(fragment) { return text(fragment.replace(/<small>[\s\S]*?<\/small>/g, '')); }

function figureRows(page) {
  return [...page.matchAll(/<tr data-figure data-row="([^"]*)" data-engine="([^"]*)" data-component="([^"]*)">([\s\S]*?)<\/tr>/g)].map((m) => {
    const inner = m[4];
    const published = quantity(mainText(cell(inner, 'published')));
    const estimate = quantity(mainText(cell(inner, 'estimate')));
    const errorCell = cell(inner, 'error');
    const tol = /tolerance ±(\d+(?:\.\d+)?)%/.exec(errorCell);
    return {
      row: decode(m[1]), engine: decode(m[2]), component: decode(m[3]), inner,
      published, estimateText: mainText(cell(inner, 'estimate')), estimate, error: percent(mainText(errorCell)), errorText: mainText(errorCell),
      tolerance: tol ? Number(tol[1]) : null, source: cell(inner, 'source'),
    };
  });
}

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

let page;
let rows;
before(() => {
  page = read('accuracy.html');
  rows = figureRows(page);
});

describe('accuracy.html', () => {
  test('lists every figure of every data row with a request, each published number as the data has it', () => {
    const ids = withRequest.map((r) => String(r.row.id));
    assert.equal(new Set(ids).size, ids.length, 'row ids are unique across the data files');
    const refused = [...page.matchAll(/data-refused="([^"]*)"/g)].map((m) => decode(m[1]));
    const expected = withRequest.filter((r) => !refused.includes(String(r.row.id))).reduce((n, r) => n + printed(r.file, r.row).length, 0);
    assert.ok(withRequest.length >= 100, `${withRequest.length} data rows with a request`);
    assert.equal(rows.length, expected, 'one table row per printed figure');
    assert.deepEqual([...new Set([...rows.map((r) => r.row), ...refused])].sort(), ids.slice().sort(), 'every run is on the page, with figures or refused');
    for (const { file, row } of withRequest) {
      if (refused.includes(String(row.id))) continue;
      const shown = rows.filter((r) => r.row === String(row.id)).map((r) => r.published.value).sort((a, b) => a - b);
      const want = printed(file, row).slice().sort((a, b) => a - b);
      assert.deepEqual(shown, want, `${row.id}: the published figures of ${file}`);
    }
  });

  test('units are explicit: GiB for vLLM, SGLang and TensorRT-LLM logs (MiB for TensorRT engine builds), GB for mlx-lm (GiB before 0.20.0), MiB for llama.cpp, tokens/s or s for speed', () => {
    const fileOf = new Map(withRequest.map((r) => [String(r.row.id), r.file]));
    const byId = new Map(withRequest.map((r) => [String(r.row.id), r.row]));
    for (const r of rows) {
      assert.ok(r.published, `${r.row}: published figure with a unit`);
      const file = fileOf.get(r.row);
      if (file === 'speed-results.json') assert.ok(['tokens/s', 's'].includes(r.published.unit), `${r.row}: ${r.published.unit}`);
      else if (file.startsWith('llamacpp-')) assert.equal(r.published.unit, 'MiB', r.row);
      else if (file === 'mlx-peak-memory.json') {
        // mlx-lm prints decimal gigabytes; releases before 0.20.0 printed GiB under the same label (peak_gib).
        assert.equal(r.published.unit, byId.get(r.row).peak_gib != null ? 'GiB' : 'GB', `${r.row}: mlx-lm's unit`);
      }
      else if (r.published.unit === 'MiB') assert.ok(Object.values(byId.get(r.row).engine_mib || {}).includes(r.published.value), `${r.row}: MiB only for engine figures`);
      else assert.ok(['GiB', 'tokens', '×'].includes(r.published.unit), `${r.row}: ${r.published.unit}`);
      if (r.estimate) assert.equal(r.estimate.unit, r.published.unit, `${r.row}: estimate in the published unit`);
      else assert.equal(r.estimateText, 'unknown', `${r.row}: a missing estimate says unknown`);
    }
  });

  test('each error is (estimate − published) / published of the shown numbers, to the shown precision', () => {
    let checked = 0;
    for (const r of rows) {
      if (r.error == null) {
        assert.equal(r.errorText.charAt(0), '—', `${r.row}: no error shows a dash`);
        assert.ok(!r.estimate || r.published.value <= 0, `${r.row}: an error is missing only for an unknown estimate or a figure of zero or below`);
        continue;
      }
      const want = ((r.estimate.value - r.published.value) / r.published.value) * 100;
      assert.ok(Math.abs(want - r.error) <= 0.05 + 1e-9, `${r.row} ${r.component}: ${r.estimate.value} vs ${r.published.value} is ${want.toFixed(3)}%, shown ${r.errorText}`);
      assert.ok(r.estimate.decimals >= r.published.decimals, `${r.row}: the estimate is shown at least as precisely as the figure`);
      checked += 1;
    }
    assert.ok(checked >= 200, `${checked} errors checked`);
    // Hand check of one row: vLLM V-1 printed "Available KV cache memory: 50.28 GiB".
    const v1 = rows.find((r) => r.row === 'V-1' && r.component === 'kv_cache');
    assert.equal(v1.published.value, 50.28);
  });

  test('the estimates are the module\'s answers for each row\'s request', async () => {
    const api = await loadApi();
    const v1 = data['vllm-startup-logs.json'].rows.find((r) => r.id === 'V-1');
    const e = api.estimate(v1.request);
    const shown = rows.find((r) => r.row === 'V-1' && r.component === 'kv_cache').estimate.value;
    assert.equal(shown, Number((e.devices[0].components.kv_cache / GIB).toFixed(2)));
    // A llama.cpp KV buffer is exact arithmetic. C-9: Mistral-7B-class, 32 layers × 8 KV heads × 128 × 2 (K, V)
    // × 2 B (f16) × 32,768 cells = 4,096 MiB, what the log printed.
    const c9 = rows.find((r) => r.row === 'C-9' && r.component === 'kv_cache');
    assert.equal((32 * 8 * 128 * 2 * 2 * 32768) / 2 ** 20, 4096);
    assert.equal(c9.estimate.value, 4096);
    assert.equal(c9.error, 0);
  });

  test('every source link is http(s); GitHub references link to github.com; speed rows link their source_url', () => {
    const links = [...page.matchAll(/<td class="source"[^>]*>([\s\S]*?)<\/td>/g)].flatMap((m) => [...m[1].matchAll(/<a\s[^>]*href="([^"]*)"/g)].map((a) => decode(a[1])));
    assert.ok(links.length >= 100, `${links.length} source links`);
    for (const href of links) assert.match(href, /^https?:\/\/[^\s"'<>]+$/, href);
    for (const { file, row } of withRequest) {
      const mine = rows.filter((r) => r.row === String(row.id));
      if (!mine.length) continue;
      if (file === 'speed-results.json') {
        assert.ok(mine[0].source.includes(`href="${row.source_url}"`), `${row.id}: links ${row.source_url}`);
      }
      const ref = /^([\w.-]+\/[\w.-]+)#(\d+)$/.exec(row.source || '');
      if (ref) assert.ok(mine[0].source.includes(`href="https://github.com/${ref[1]}/issues/${ref[2]}"`), `${row.id}: ${row.source}`);
    }
  });

  test('no NaN, undefined or null text', () => {
    const visible = text(page.replace(/<head>[\s\S]*<\/head>/, ''));
    assert.doesNotMatch(visible, /\bNaN\b|\bundefined\b|\bnull\b|Infinity/);
  });

  test('each summary line agrees with the rows of its table, and the summary table with the lines', () => {
    const sections = [...page.matchAll(/<h3 id="([^"]+)">([\s\S]*?)<\/h3>\s*<p class="kicker" data-summary="\1">([\s\S]*?)<\/p>\s*<div class="table-scroll"[^>]*>([\s\S]*?)<\/table>/g)];
    assert.ok(sections.length >= 15, `${sections.length} sections`);
    let total = 0;
    for (const [, id, , summaryHtml, tableHtml] of sections) {
      const mine = figureRows(tableHtml);
      total += mine.length;
      const summary = text(summaryHtml);
      const count = Number(/^([\d,]+) figures?/.exec(summary)[1].replace(/,/g, ''));
      assert.equal(count, mine.length, `${id}: count`);
      const errs = mine.filter((r) => r.error != null).map((r) => Math.abs(r.error));
      const med = /median \|error\| (\d+\.\d)%/.exec(summary);
      if (errs.length) {
        assert.ok(med, `${id}: a median`);
        // Rows show one decimal, so their median may differ from the exact one by the rounding of two rows.
        assert.ok(Math.abs(Number(med[1]) - median(errs)) <= 0.1 + 1e-9, `${id}: median ${med[1]} vs ${median(errs)} from the rows`);
      } else {
        assert.ok(!med, `${id}: no median without errors`);
      }
      const tolRows = mine.filter((r) => r.tolerance != null && r.error != null);
      const within = /(\d+) of (\d+) within the row's tolerance/.exec(summary);
      if (tolRows.length) {
        assert.equal(Number(within[2]), tolRows.length, `${id}: rows with a tolerance`);
        assert.equal(Number(within[1]), tolRows.filter((r) => Math.abs(r.error) <= r.tolerance).length, `${id}: within tolerance`);
      } else {
        assert.ok(!within, `${id}: no tolerance claimed`);
      }
      const row = new RegExp(`<tr data-summary-row="${id}">([\\s\\S]*?)</tr>`).exec(page);
      assert.ok(row, `${id}: a summary table row`);
      const cells = [...row[1].matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => decode(m[1]));
      assert.equal(Number(cells[0].replace(/,/g, '')), count, `${id}: summary table count`);
      assert.equal(cells[1], med ? `${med[1]}%` : '—', `${id}: summary table median`);
    }
    assert.equal(total, rows.length, 'every figure row is in a summarized section');
  });

  test('is linked from the calculator, the hardware page, the model index, model pages and the 404 page, relatively', () => {
    assert.ok(read('index.html').includes('<a href="accuracy.html">Accuracy</a>'));
    assert.ok(read('plan.html').includes('href="accuracy.html"'));
    assert.ok(read('models/index.html').includes('href="../accuracy.html"'));
    assert.ok(read('models/llama-3.1-8b.html').includes('href="../accuracy.html"'));
    assert.ok(read('404.html').includes('href="accuracy.html"'));
    assert.ok(page.includes('<a href="accuracy.html" aria-current="page">Accuracy</a>'), 'its own nav entry is current');
    assert.ok(page.includes('href="pages/pages.css"') && page.includes('href="index.html"'), 'relative links from the site root');
  });
});

describe('the accuracy page generator', () => {
  test('a request the module refuses is listed with its error, escaped; other rows still get figures', async () => {
    const api = await loadApi();
    const fake = Object.fromEntries(DATA_FILES.map((f) => [f, { rows: [] }]));
    fake['vllm-startup-logs.json'].rows = [
      { id: 'X-1', source: 'example/repo#7', settings: '<b>bold</b> settings', request: { runtime: 'vllm', model: 'no-such-model', gpu: 'h100-sxm-80gb' }, logged_gib: { kv_cache: 1 } },
      { id: 'X-2', source: 'https://example.org/log', settings: 'ok', request: { runtime: 'vllm', model: 'llama-3.1-8b', gpu: 'h100-sxm-80gb', context: 4096 }, logged_gib: { weights: 14.99 } },
    ];
    const result = accuracyFigures(api, fake);
    assert.equal(result.failed.length, 1);
    assert.equal(result.failed[0].row, 'X-1');
    assert.equal(result.failed[0].error.code, 'unknown_model');
    assert.equal(result.failed[0].error.field, 'model');
    assert.equal(result.figures.length, 1);
    assert.equal(result.figures[0].row, 'X-2');
    const out = String(accuracyPage(result, api.schema(), readTemplates(path.join(ROOT, 'web', 'pages', 'templates'))));
    assert.match(out, /<li data-refused="X-1">/);
    assert.ok(out.includes('<code>unknown_model</code> in <code>model</code>'), 'the error names its code and field');
    assert.ok(out.includes(result.failed[0].error.message.replace(/"/g, '&quot;')), 'the module\'s message is shown');
    assert.ok(out.includes('&lt;b&gt;bold&lt;/b&gt; settings') && !out.includes('<b>bold</b>'), 'settings text is escaped');
    assert.ok(out.includes('href="https://github.com/example/repo/issues/7"'));
  });

  test('sources: only http(s) URLs and owner/repo#N become links', () => {
    const render = (s) => String(require('../../scripts/pages/html.js').html`${sourceHtml(s)}`);
    assert.equal(render('vllm-project/vllm#10517'), '<a href="https://github.com/vllm-project/vllm/issues/10517" rel="noopener external">vllm-project/vllm#10517</a>');
    assert.equal(render('javascript:alert(1) and data:text/html,x'), 'javascript:alert(1) and data:text/html,x');
    assert.equal(render('BENCHMARKS.md (entry #858)'), 'BENCHMARKS.md (entry #858)');
    assert.match(render('a file, https://github.com/o/r.'), /<a href="https:\/\/github.com\/o\/r" rel="noopener external">https:\/\/github.com\/o\/r<\/a>\.$/);
    assert.equal(signedPercent(-0.04), '0.0%');
    assert.equal(signedPercent(-12.84), '\u221212.8%');
    assert.equal(signedPercent(3.05), '+3.0%');
  });
});
