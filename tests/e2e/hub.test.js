// Models read from their files' headers, in a real Chromium: from the Hugging Face Hub (answered here from the
// recorded fixtures in tests/fixtures/hub, by intercepting the browser's requests) and from files dropped on the page.
// Each case records every request: the page contacts its own origin, and huggingface.co only when a Hub model is asked
// for; safetensors files are read only up to their header. (The Hub redirects large files to its download hosts; an
// intercepted answer cannot redirect, so the recorded Hub here answers the byte ranges itself and the page's policy is
// checked to allow those hosts. hub-redirect.test.js follows a real redirect to one of them.)
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { after, before, describe, test } = require('node:test');
const { DESKTOP, openPage, startSite, stopSite } = require('./browser.js');
const { FIXTURES, SIZES, header, text, cors, byteRange } = require('./hub-fixtures.js');

const ROOT = path.resolve(__dirname, '..', '..');
const SITE = path.join(ROOT, 'build', 'site');
const CLI = path.join(ROOT, 'build', 'native', 'fitmygpu');
const ARTIFACTS = path.join(ROOT, 'build', 'test-artifacts');
const HUB = 'https://huggingface.co';
// The Hub's download hosts (huggingface/hub-docs, docs/hub/models-downloading.md), which connect-src must allow.
const DOWNLOAD_HOSTS = ['https://*.cdn.hf.co', 'https://cas-bridge.xethub.hf.co', 'https://cas-bridge.xethub-eu.hf.co',
  'https://cdn-lfs.hf.co', 'https://cdn-lfs-us-1.hf.co', 'https://cdn-lfs-eu-1.hf.co'];
const TOKEN = 'hf_testTokenThatMustStayInMemory0123456789';

let browser;
let server;

before(async () => {
  ({ server, browser } = await startSite({ site: SITE, required: ['index.html', 'hub.js', 'model-files.js'], base: '/repo/', artifacts: ARTIFACTS }));
});
after(() => stopSite({ browser, server }));

// ---- a recorded Hub ----


// Repositories: name → {files: {name: {text} | {header, size}}, card, gated}. Files of a header are served as the header
// followed by zeros up to their size (the weights, which must never be asked for).
const REPOS = {
  'meta-llama/Llama-3.2-1B-Instruct': {
    files: {
      'config.json': { text: text('config.json') },
      'model.safetensors.index.json': { text: text('model.safetensors.index.json') },
      'model-00001-of-00002.safetensors': { header: header('model-00001-of-00002.safetensors'), size: SIZES['model-00001-of-00002.safetensors'] },
      'model-00002-of-00002.safetensors': { header: header('model-00002-of-00002.safetensors'), size: SIZES['model-00002-of-00002.safetensors'] },
      'README.md': { text: '# card' },
    },
    card: { base_model: 'meta-llama/Llama-3.2-1B' },
  },
  'bartowski/Llama-3.2-1B-Instruct-GGUF': {
    files: {
      'Llama-3.2-1B-Instruct-Q4_K_M.gguf': { header: header('Llama-3.2-1B-Instruct-Q4_K_M.gguf'), size: SIZES['Llama-3.2-1B-Instruct-Q4_K_M.gguf'] },
      'Llama-3.2-1B-Instruct-Q8_0.gguf': { header: header('Llama-3.2-1B-Instruct-Q4_K_M.gguf'), size: SIZES['Llama-3.2-1B-Instruct-Q4_K_M.gguf'] },
    },
    card: { base_model: 'meta-llama/Llama-3.2-1B-Instruct' },
  },
  // A fine-tune the catalog does not list (the same files, under another name).
  'example-org/Llama-3.2-1B-Instruct-finetune': {
    files: {
      'config.json': { text: text('config.json') },
      'model.safetensors.index.json': { text: text('model.safetensors.index.json') },
      'model-00001-of-00002.safetensors': { header: header('model-00001-of-00002.safetensors'), size: SIZES['model-00001-of-00002.safetensors'] },
      'model-00002-of-00002.safetensors': { header: header('model-00002-of-00002.safetensors'), size: SIZES['model-00002-of-00002.safetensors'] },
    },
    card: { base_model: ['meta-llama/Llama-3.2-1B-Instruct'] },
  },
  'gated-org/Private-Model': {
    files: { 'config.json': { text: text('config.json') } },
    gated: true,
  },
  'evil-org/evil-model': {
    files: {
      '<img src=x onerror="window.__pwned=2">-Q4_K_M.gguf': { header: header('tiny-Q8_0.gguf'), size: SIZES['tiny-Q8_0.gguf'] },
      '<b>bold</b>-Q8_0.gguf': { header: header('tiny-Q8_0.gguf'), size: SIZES['tiny-Q8_0.gguf'] },
    },
    card: { base_model: '<img src=x onerror="window.__pwned=1">' },
  },
};

// Installs the recorded Hub on a browser context; `behaviour` (optional) answers every Hub request instead.
async function recordedHub(context, log, behaviour) {
  const answer = async (route) => {
    const req = route.request();
    const url = new URL(req.url());
    const headers = req.headers();
    log.push({ url: req.url(), method: req.method(), range: headers.range || '', auth: headers.authorization || '' });
    if (req.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors({ 'access-control-allow-methods': 'GET' }) });
    if (behaviour) return behaviour(route, url);
    const api = /^\/api\/models\/([^/]+\/[^/]+)(?:\/revision\/([^/]+))?$/.exec(url.pathname);
    if (api) {
      const repo = REPOS[api[1]];
      if (!repo) return route.fulfill({ status: 404, headers: cors(), body: '{"error":"Repository not found"}' });
      const siblings = Object.keys(repo.files).map((f) => ({ rfilename: f, size: repo.files[f].size || Buffer.byteLength(repo.files[f].text) }));
      return route.fulfill({ status: 200, headers: cors({ 'content-type': 'application/json' }),
        body: JSON.stringify({ id: api[1], sha: 'a'.repeat(40), gated: repo.gated ? 'manual' : false, cardData: repo.card || {}, siblings }) });
    }
    const file = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (file) {
      const repo = REPOS[file[1]];
      const name = decodeURIComponent(file[3]);
      if (!repo || !repo.files[name]) return route.fulfill({ status: 404, headers: cors(), body: 'Entry not found' });
      if (repo.gated && headers.authorization !== `Bearer ${TOKEN}`) return route.fulfill({ status: 401, headers: cors(), body: 'Access to model is restricted' });
      if (repo.files[name].header) return serveFile(route, repo.files[name], headers.range);
      return route.fulfill({ status: 200, headers: cors({ 'content-type': 'text/plain' }), body: repo.files[name].text });
    }
    return route.fulfill({ status: 404, headers: cors(), body: '' });
  };
  await context.route(`${HUB}/**`, answer);
}

function serveFile(route, f, range) {
  const answer = byteRange(f, range);
  assert.ok(answer, `a download without a byte range: ${route.request().url()}`);
  return route.fulfill({ status: 206, ...answer });
}

async function open(url, behaviour) {
  const context = await browser.newContext(DESKTOP);
  const log = [];
  await recordedHub(context, log, behaviour);
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console.error: ${msg.text()}`); });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('request', (req) => requests.push(req.url()));
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 15000 });
  return { context, page, problems, requests, log };
}

// Opens url (see open), runs `body` with the session, and closes the page's context whatever happens.
async function withPage(url, ...rest) {
  const body = rest.pop();
  const session = await open(url, ...rest);
  try {
    return await body(session);
  } finally {
    await session.context.close();
  }
}

async function settled(page) {
  await page.waitForSelector('html[data-ready="true"]:not([data-busy])', { timeout: 15000 });
}

// Waits until the model menu shows `id` and the estimate for it is on screen.
async function showsModel(page, id) {
  await page.waitForFunction((want) => document.getElementById('model').value === want, id, { timeout: 15000 });
  await settled(page);
  await page.waitForSelector('[data-testid="verdict"][data-verdict]');
}

const weightsRow = (page) => page.$$eval('[data-testid="breakdown"] tbody tr[data-component="weights"]', (trs) =>
  trs.map((tr) => tr.querySelector('code.substituted').textContent));

function origins(urls) {
  return [...new Set(urls.map((u) => new URL(u).origin))].sort();
}

// The request the page shows ("Request sent to the estimator"), run through the command line.
function cli(request) {
  const file = path.join(ARTIFACTS, 'hub-request.json');
  fs.writeFileSync(file, JSON.stringify(request));
  return JSON.parse(execFileSync(CLI, ['estimate', file], { encoding: 'utf8' }));
}

describe('a model from the Hugging Face Hub', () => {
  test('?model=hf:… reads config.json, the index and each shard\u2019s header, and the weights are the tensors\u2019 bytes', async () => {
    await withPage(`${server.url}?model=hf:meta-llama/Llama-3.2-1B-Instruct&gpu=rtx-4090`, async ({ page, problems, requests, log }) => {
      await showsModel(page, 'hf:meta-llama/Llama-3.2-1B-Instruct');
      const request = JSON.parse(await page.textContent('[data-testid="request-json"]'));
      assert.ok(request.config && request.checkpoint && !request.model, 'a self-contained request: config and checkpoint');
      // Llama 3.2 1B in BF16 (2 bytes a value), from its config: embedding 128256 x 2048 (tied with the output), per
      // layer q and o 2048 x 2048, k and v 512 x 2048, gate, up and down 8192 x 2048, two norms of 2048; a final norm.
      const layer = 2 * (2 * 2048 * 2048 + 2 * 512 * 2048 + 3 * 8192 * 2048 + 2 * 2048);
      const expected = 2 * 128256 * 2048 + 16 * layer + 2 * 2048;
      assert.equal(expected, 2471628800);
      assert.equal(request.checkpoint.tensor_bytes, expected);
      const response = cli(request);
      assert.equal(response.resolved.runtime, 'vllm', 'a safetensors checkpoint on an RTX 4090 runs on vLLM');
      // The checkpoint's tensors (vLLM keeps its rotary cos/sin table as a weights item of its own).
      assert.equal(response.breakdown.filter((b) => b.label === 'weights' && b.device === 0).reduce((a, b) => a + b.bytes, 0), expected);
      assert.equal(await page.getAttribute('[data-testid="verdict"]', 'data-verdict'), response.verdict);
      // The checkpoint, and vLLM's rotary cos/sin table: 131,072 positions x 64 rotary dims x 2 B = 16 MiB.
      assert.deepEqual(await weightsRow(page), ['2.30 GiB', '16.00 MiB']);
      // The address keeps the Hub model; only the page's origin and the Hub were contacted.
      assert.match(page.url(), /model=hf%3Ameta-llama%2FLlama-3.2-1B-Instruct/);
      assert.deepEqual(origins(requests), [HUB, new URL(server.url).origin].sort());
      const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
      const connect = /connect-src ([^;]+)/.exec(policy)[1].trim().split(/\s+/);
      assert.deepEqual(connect.sort(), ["'self'", HUB, ...DOWNLOAD_HOSTS].sort());
      // Each shard was read by two ranges: its first 8 bytes, then the header they announce; never a byte of weights.
      for (const shard of ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']) {
        const ranges = log.filter((r) => r.url.includes(shard) && r.method === 'GET').map((r) => r.range);
        const n = header(shard).length;
        assert.deepEqual(ranges, ['bytes=0-7', `bytes=8-${n - 1}`], shard);
      }
      assert.ok(log.some((r) => r.url === `${HUB}/api/models/meta-llama/Llama-3.2-1B-Instruct?blobs=true`));
      assert.deepEqual(problems, []);
    });
  });

  test('a GGUF repository: the chosen file\u2019s header grows until inspect has it; the estimate is the command line\u2019s', async () => {
    await withPage(`${server.url}?gpu=rtx-4090`, async ({ page, problems, log }) => {
      await page.fill('[data-testid="model-search"]', 'bartowski/Llama-3.2-1B-Instruct-GGUF');
      await page.press('[data-testid="model-search"]', 'Enter');
      await showsModel(page, 'hf:bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M');
      const ranges = log.filter((r) => r.url.includes('.gguf') && r.method === 'GET').map((r) => r.range);
      assert.equal(ranges[0], 'bytes=0-8191');
      assert.ok(ranges.length >= 2, 'the 9,664-byte header needed a second read');
      assert.ok(log.every((r) => !r.url.includes('Q8_0')), 'only the chosen file is read');
      const request = JSON.parse(await page.textContent('[data-testid="request-json"]'));
      assert.equal(request.weights, 'gguf:Q4_K_M');
      assert.equal(request.runtime, 'llama.cpp');
      // Q4_K: 144 bytes per 256 values, Q6_K: 210 per 256, F32: 4 a value. token_embd 2048 x 128256 in Q6_K; per layer
      // attn_q/attn_output 2048 x 2048 and attn_k 2048 x 512, ffn_gate/ffn_up 2048 x 8192 in Q4_K, attn_v and ffn_down
      // in Q6_K on layers 0, 1, 4, 7, 10, 13, 14, 15 (llama.cpp's use_more_bits) else Q4_K; norms and rope_freqs in F32.
      const q4 = (n) => n / 256 * 144;
      const q6 = (n) => n / 256 * 210;
      let total = q6(2048 * 128256) + 4 * 32 + 4 * 2048;
      for (let i = 0; i < 16; i++) {
        const more = [0, 1, 4, 7, 10, 13, 14, 15].includes(i);
        const big = more ? q6 : q4;
        total += 2 * 4 * 2048 + q4(2048 * 2048) * 2 + q4(2048 * 512) + big(2048 * 512) + q4(2048 * 8192) * 2 + big(8192 * 2048);
      }
      assert.equal(request.checkpoint.tensor_bytes, total);
      const response = cli(request);
      // llama.cpp keeps the token embeddings in host memory, and Llama 3.2 1B's output shares them: the GPU holds the
      // rest plus the output layer's own copy of token_embd, so every byte of the file once.
      assert.equal(response.devices[0].components.weights, total - q6(2048 * 128256) + q6(2048 * 128256));
      assert.equal(response.host.components.weights, q6(2048 * 128256));
      assert.equal(await page.getAttribute('[data-testid="verdict"]', 'data-verdict'), response.verdict);
      // The card's base model is in the catalog: a button opens it.
      assert.match(await page.textContent('[data-testid="hub-base"]'), /Llama 3\.2 1B/);
      await page.click('[data-testid="hub-base-link"]');
      await showsModel(page, 'llama-3.2-1b');
      assert.deepEqual(problems, []);
    });
  });

  test('a missing repository, a gated one, rate limiting and no network each get a plain explanation', async () => {
    const cases = [
      ['hf:nobody/no-such-model', null, /found no repository nobody\/no-such-model \(HTTP 404\)/],
      ['hf:gated-org/Private-Model', null, /gated or private[\s\S]*access token/],
      ['hf:meta-llama/Llama-3.2-1B-Instruct', (route) => route.fulfill({ status: 429, headers: cors(), body: '' }), /limiting requests[\s\S]*HTTP 429/],
      ['hf:meta-llama/Llama-3.2-1B-Instruct', (route) => route.abort('internetdisconnected'), /could not be reached[\s\S]*offline/],
    ];
    for (const [model, behaviour, message] of cases) {
      await withPage(`${server.url}?model=${encodeURIComponent(model)}`, behaviour, async ({ page, problems }) => {
        await page.waitForSelector('[data-testid="hub-error"]:not([hidden])', { timeout: 15000 });
        assert.match(await page.textContent('[data-testid="hub-error"]'), message, model);
        await settled(page);
        assert.equal(await page.inputValue('[data-testid="model-select"]'), 'llama-3.1-8b', 'the catalog model stays');
        assert.deepEqual(problems.filter((p) => !/Failed to load resource|net::ERR/.test(p)), [], model);
      });
    }
  });

  test('an access token opens a gated repository and is never put in the address or in storage', async () => {
    await withPage(`${server.url}`, async ({ context, page, problems, log }) => {
      await page.click('#model-files summary');
      await page.fill('[data-testid="hub-token"]', TOKEN);
      await page.fill('[data-testid="hub-repo"]', 'gated-org/Private-Model');
      await page.click('[data-testid="hub-load"]');
      await showsModel(page, 'hf:gated-org/Private-Model');
      assert.ok(log.some((r) => r.url.startsWith(HUB) && r.auth === `Bearer ${TOKEN}`), 'the token went to huggingface.co');
      assert.ok(log.every((r) => !r.auth || r.url.startsWith(HUB)), 'and nowhere else');
      await page.click('[data-testid="copy-link"]');
      const stored = await page.evaluate(() => JSON.stringify({
        href: location.href, link: document.getElementById('copy-link').getAttribute('data-link'), local: Object.assign({}, localStorage),
        session: Object.assign({}, sessionStorage), cookie: document.cookie, history: JSON.stringify(history.state),
      }));
      assert.ok(!stored.includes(TOKEN) && !stored.includes('hf_test'), stored);
      const cookies = await context.cookies();
      assert.ok(!JSON.stringify(cookies).includes(TOKEN));
      assert.deepEqual(problems, []);
    });
  });

  test('a pasted launch command naming a repository the catalog lacks offers to read it from the Hub', async () => {
    await withPage(`${server.url}?gpu=h100-sxm-80gb`, async ({ page, problems, requests }) => {
      await page.click('#command-box summary');
      await page.fill('[data-testid="command-paste"]', 'vllm serve example-org/Llama-3.2-1B-Instruct-finetune --max-model-len 8192');
      await page.click('[data-testid="command-read"]');
      await page.waitForSelector('[data-testid="command-hub"]');
      assert.deepEqual(origins(requests), [new URL(server.url).origin], 'nothing is read before it is asked for');
      await page.click('[data-testid="command-hub"]');
      await showsModel(page, 'hf:example-org/Llama-3.2-1B-Instruct-finetune');
      assert.equal(await page.inputValue('[data-testid="context-input"]'), '8192');
      assert.match(await page.textContent('[data-testid="hub-base"]'), /A fine-tune of meta-llama\/Llama-3\.2-1B-Instruct, which the catalog has as Llama 3\.2 1B/);
      assert.deepEqual(problems, []);
    });
  });

  test('names from the Hub are shown as text', async () => {
    await withPage(`${server.url}?model=hf:evil-org/evil-model`, async ({ page, problems }) => {
      await showsModel(page, 'hf:evil-org/evil-model:Q8_0');
      assert.match(await page.textContent('[data-testid="hub-base"]'), /<img src=x onerror="window.__pwned=1">/);
      const files = await page.$$eval('[data-testid="hub-gguf"] option', (os) => os.map((o) => o.textContent));
      assert.deepEqual(files.sort(), ['<b>bold</b>-Q8_0.gguf', '<img src=x onerror="window.__pwned=2">-Q4_K_M.gguf']);
      assert.equal(await page.$$eval('#model-files b', (bs) => bs.length), 0);
      assert.equal(await page.$$eval('main img', (imgs) => imgs.length), 0);
      assert.equal(await page.evaluate(() => window.__pwned), undefined);
      assert.deepEqual(problems, []);
    });
  });

  test('the catalog\u2019s own page contacts no other origin until a Hub model is asked for', async () => {
    await withPage(`${server.url}?model=llama-3.1-8b`, async ({ page, requests }) => {
      await settled(page);
      await page.fill('[data-testid="model-search"]', 'unsloth/Qwen3-32B-GGUF');
      await page.waitForFunction(() => document.getElementById('model').value === 'qwen3-32b');
      await settled(page);
      assert.equal(await page.isVisible('[data-testid="hub-search-go"]'), true, 'a Hub read is offered');
      assert.deepEqual(origins(requests), [new URL(server.url).origin]);
    });
  });
});

describe('a model from files on this computer', () => {
  // Files made in the page: the fixture's header followed by zeros up to the file's size.
  async function drop(page, files) {
    const specs = files.map((f) => (f.text !== undefined ? { name: f.name, text: f.text } : { name: f.name, header: [...f.header], size: f.size }));
    await page.evaluate((list) => {
      window.__slices = [];
      const slice = Blob.prototype.slice;
      Blob.prototype.slice = function (start, end) {
        window.__slices.push([this.name || '', start, end]);
        return slice.apply(this, arguments);
      };
      const dt = new DataTransfer();
      list.forEach((f) => {
        const parts = f.text !== undefined ? [f.text] : [new Uint8Array(f.header), new Uint8Array(f.size - f.header.length)];
        dt.items.add(new File(parts, f.name));
      });
      document.getElementById('drop-zone').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, specs);
  }

  test('a config.json alone: the model sized from its config', async () => {
    await withPage(`${server.url}?gpu=rtx-4090`, async ({ page, problems, requests }) => {
      await drop(page, [{ name: 'config.json', text: text('config.json') }]);
      await showsModel(page, 'file:config.json');
      const request = JSON.parse(await page.textContent('[data-testid="request-json"]'));
      assert.deepEqual(request.config, JSON.parse(text('config.json')));
      assert.equal(request.checkpoint, undefined);
      assert.equal(await page.getAttribute('[data-testid="verdict"]', 'data-verdict'), cli(request).verdict);
      assert.doesNotMatch(page.url(), /file%3A/, 'files are not in the link');
      assert.deepEqual(origins(requests), [new URL(server.url).origin]);
      assert.deepEqual(problems, []);
    });
  });

  test('a config.json and a safetensors file: only the header is sliced, and the weights are its tensors\u2019 bytes', async () => {
    await withPage(`${server.url}?gpu=rtx-4090`, async ({ page, problems, requests }) => {
      const st = header('tiny.safetensors');
      await drop(page, [{ name: 'config.json', text: text('tiny-config.json') }, { name: 'tiny.safetensors', header: st, size: SIZES['tiny.safetensors'] }]);
      await showsModel(page, 'file:tiny.safetensors');
      const slices = await page.evaluate(() => window.__slices);
      assert.ok(slices.length >= 2);
      assert.ok(slices.every((s) => s[2] <= st.length), JSON.stringify(slices));
      const request = JSON.parse(await page.textContent('[data-testid="request-json"]'));
      // tiny-config.json in BF16: embedding and lm_head 256 x 64; per layer q and o 64 x 64, k and v 32 x 64, gate, up
      // and down 128 x 64, two norms of 64; the final norm.
      const expected = 2 * (2 * 256 * 64 + 2 * (2 * 64 * 64 + 2 * 32 * 64 + 3 * 128 * 64 + 2 * 64) + 64);
      assert.equal(expected, 213632);
      assert.equal(request.checkpoint.tensor_bytes, expected);
      const response = cli(request);
      // The checkpoint's tensors (vLLM keeps its rotary cos/sin table as a weights item of its own).
      assert.equal(response.breakdown.filter((b) => b.label === 'weights' && b.device === 0).reduce((a, b) => a + b.bytes, 0), expected);
      assert.equal(await page.getAttribute('[data-testid="verdict"]', 'data-verdict'), response.verdict);
      assert.deepEqual(origins(requests), [new URL(server.url).origin]);
      assert.deepEqual(problems, []);
    });
  });

  test('a GGUF file: its header sliced, the config from its metadata', async () => {
    await withPage(`${server.url}?gpu=rtx-4090`, async ({ page, problems, requests }) => {
      await drop(page, [{ name: 'tiny-Q8_0.gguf', header: header('tiny-Q8_0.gguf'), size: SIZES['tiny-Q8_0.gguf'] }]);
      await showsModel(page, 'file:tiny-Q8_0.gguf');
      const request = JSON.parse(await page.textContent('[data-testid="request-json"]'));
      assert.equal(request.weights, 'gguf:Q8_0');
      // Q8_0: 34 bytes per 32 values. token_embd and output 64 x 256; per layer attn_q and attn_output 64 x 64, attn_k and
      // attn_v 64 x 32, ffn_gate, ffn_up and ffn_down 64 x 128, two F32 norms of 64; output_norm 64 and rope_freqs 8 in F32.
      const q8 = (n) => n / 32 * 34;
      const expected = 2 * q8(64 * 256) + 2 * (2 * q8(64 * 64) + 2 * q8(64 * 32) + 3 * q8(64 * 128) + 2 * 4 * 64) + 4 * 64 + 4 * 8;
      assert.equal(request.checkpoint.tensor_bytes, expected);
      assert.equal(await page.getAttribute('[data-testid="verdict"]', 'data-verdict'), cli(request).verdict);
      assert.deepEqual(origins(requests), [new URL(server.url).origin]);
      assert.deepEqual(problems, []);
    });
  });
});

describe('the offline single file', () => {
  test('says that reading from the Hub needs a connection, and allows only the Hub to be contacted', () => {
    const html = fs.readFileSync(path.join(SITE, 'fitmygpu-offline.html'), 'utf8');
    assert.match(html, /<p id="hub-offline-note"[^>]*>This offline copy of the calculator needs a network connection/);
    assert.doesNotMatch(html, /<p id="hub-offline-note"[^>]* hidden>/);
    const policy = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)[1];
    const connect = /connect-src ([^;]+)/.exec(policy)[1].trim().split(/\s+/);
    assert.deepEqual(connect.sort(), [HUB, ...DOWNLOAD_HOSTS].sort());
  });
});

describe('repository ids', () => {
  // hub.js in a bare context: parseRepo is plain text handling.
  const vm = require('node:vm');
  const sandbox = { window: {} };
  vm.runInNewContext(fs.readFileSync(path.join(ROOT, 'web', 'hub.js'), 'utf8'), sandbox);
  const { parseRepo, modelId } = sandbox.window.FitMyGPUPage.hub;
  const plain = (x) => (x ? { repo: x.repo, revision: x.revision, tag: x.tag } : x);

  test('ORG/NAME with an optional revision and GGUF file type, in the forms people paste', () => {
    assert.deepEqual(plain(parseRepo('Qwen/Qwen3-8B')), { repo: 'Qwen/Qwen3-8B', revision: 'main', tag: '' });
    assert.deepEqual(plain(parseRepo('hf:unsloth/Qwen3-8B-GGUF:Q8_0')), { repo: 'unsloth/Qwen3-8B-GGUF', revision: 'main', tag: 'Q8_0' });
    assert.deepEqual(plain(parseRepo('https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct/')), { repo: 'meta-llama/Llama-3.1-8B-Instruct', revision: 'main', tag: '' });
    assert.deepEqual(plain(parseRepo('org/model@refs/pr/3')), { repo: 'org/model', revision: 'refs/pr/3', tag: '' });
    assert.equal(modelId({ repo: 'org/model', revision: 'v1.0', tag: 'Q4_K_M' }), 'hf:org/model@v1.0:Q4_K_M');
  });

  test('anything else is not a repository id', () => {
    for (const bad of ['llama 3.1 8b', 'qwen3-8b', 'a/b/c', '../etc/passwd', 'org/..', 'org/-name', 'org/na--me', 'org/name@../x',
      'org/<script>', 'org/name:Q4 K', '', 'x'.repeat(301), 'org/name?x=1', 'javascript:alert(1)/x']) {
      assert.equal(parseRepo(bad), null, bad);
    }
  });
});
