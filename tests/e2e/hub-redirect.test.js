// The Hub answers a download of a large file with a redirect to its download host (cas-bridge.xethub.hf.co), where the
// byte range is served. Intercepted answers cannot redirect, so here Chromium resolves both hosts to a local HTTPS
// server (tests/fixtures/hub/tls: a certificate for those names, which this browser accepts) that answers as the Hub
// does: the API and small files directly, each safetensors shard by a 302 to the download host. The page must follow
// the redirect with its Range header, read only the shards' headers, and reach no other origin.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const { after, before, test } = require('node:test');
const { chromium } = require('playwright-core');
const { CHROMIUM, LAUNCH_ARGS, DESKTOP } = require('./browser.js');
const { serve } = require('./static-server.js');
const { FIXTURES, SIZES, header, text, cors, byteRange } = require('./hub-fixtures.js');

const ROOT = path.resolve(__dirname, '..', '..');
const SITE = path.join(ROOT, 'build', 'site');
const REPO = 'meta-llama/Llama-3.2-1B-Instruct';
const HUB = 'https://huggingface.co';
const DOWNLOAD = 'https://cas-bridge.xethub.hf.co';
const SHARDS = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
const TEXT = ['config.json', 'model.safetensors.index.json'];

let hub;
let site;
let browser;
const log = [];

function answer(req, res) {
  const host = (req.headers.host || '').split(':')[0];
  const url = new URL(req.url, `https://${host}`);
  log.push({ host, method: req.method, path: url.pathname, range: req.headers.range || '' });
  if (req.method === 'OPTIONS') {
    res.writeHead(204, cors({ 'access-control-allow-methods': 'GET' }));
    return res.end();
  }
  if (host === 'huggingface.co') {
    if (url.pathname === `/api/models/${REPO}`) {
      const siblings = [...TEXT.map((f) => ({ rfilename: f, size: fs.statSync(path.join(FIXTURES, f)).size })), ...SHARDS.map((f) => ({ rfilename: f, size: SIZES[f] }))];
      res.writeHead(200, cors({ 'content-type': 'application/json' }));
      return res.end(JSON.stringify({ id: REPO, sha: 'b'.repeat(40), gated: false, cardData: { base_model: 'meta-llama/Llama-3.2-1B' }, siblings }));
    }
    const file = url.pathname.startsWith(`/${REPO}/resolve/main/`) ? decodeURIComponent(url.pathname.slice(`/${REPO}/resolve/main/`.length)) : '';
    if (TEXT.includes(file)) {
      res.writeHead(200, cors({ 'content-type': 'text/plain' }));
      return res.end(text(file));
    }
    if (SHARDS.includes(file)) {
      // As the Hub does for files kept in its storage: a redirect to a signed address on the download host.
      res.writeHead(302, cors({ location: `${DOWNLOAD}/xet-bridge-us/${encodeURIComponent(file)}?X-Xet-Signed-Range=bytes&Signature=test` }));
      return res.end();
    }
  }
  if (host === 'cas-bridge.xethub.hf.co') {
    const name = decodeURIComponent(url.pathname.split('/').pop());
    const part = SHARDS.includes(name) ? byteRange({ header: header(name), size: SIZES[name] }, req.headers.range) : null;
    if (part) {
      res.writeHead(206, part.headers);
      return res.end(part.body);
    }
  }
  res.writeHead(404, cors());
  res.end('Entry not found');
}

before(async () => {
  assert.ok(fs.existsSync(path.join(SITE, 'hub.js')), `no hub.js in ${SITE} (run scripts/build)`);
  const tls = path.join(FIXTURES, 'tls');
  hub = https.createServer({ key: fs.readFileSync(path.join(tls, 'key.pem')), cert: fs.readFileSync(path.join(tls, 'cert.pem')) }, answer);
  await new Promise((resolve) => hub.listen(0, '127.0.0.1', resolve));
  const port = hub.address().port;
  site = await serve(SITE, '/repo/');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...LAUNCH_ARGS, `--host-resolver-rules=MAP huggingface.co 127.0.0.1:${port}, MAP cas-bridge.xethub.hf.co 127.0.0.1:${port}`, '--ignore-certificate-errors'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (site) await site.close();
  if (hub) await new Promise((resolve) => hub.close(resolve));
});

test('a shard the Hub redirects to its download host is read there by byte range, its header only', async () => {
  const context = await browser.newContext({ ...DESKTOP, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const problems = [];
  const origins = new Set();
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console.error: ${msg.text()}`); });
  page.on('request', (req) => origins.add(new URL(req.url()).origin));
  try {
    await page.goto(`${site.url}?model=hf:${REPO}&gpu=rtx-4090`);
    await page.waitForFunction((want) => document.getElementById('model').value === want, `hf:${REPO}`, { timeout: 20000 });
    await page.waitForSelector('html[data-ready="true"]:not([data-busy])', { timeout: 20000 });
    await page.waitForSelector('[data-testid="verdict"][data-verdict]');
    const request = JSON.parse(await page.textContent('[data-testid="request-json"]'));
    // Llama 3.2 1B in BF16, from its config: embedding 128256 x 2048 (tied), per layer q and o 2048 x 2048, k and v
    // 512 x 2048, gate, up and down 8192 x 2048, two norms of 2048; a final norm; 2 bytes a value.
    const layer = 2 * (2 * 2048 * 2048 + 2 * 512 * 2048 + 3 * 8192 * 2048 + 2 * 2048);
    assert.equal(request.checkpoint.tensor_bytes, 2 * 128256 * 2048 + 16 * layer + 2 * 2048);
    for (const shard of SHARDS) {
      const n = header(shard).length;
      const asked = log.filter((r) => r.host === 'huggingface.co' && r.method === 'GET' && r.path.endsWith(shard)).map((r) => r.range);
      const served = log.filter((r) => r.host === 'cas-bridge.xethub.hf.co' && r.method === 'GET' && r.path.endsWith(encodeURIComponent(shard))).map((r) => r.range);
      assert.deepEqual(asked, ['bytes=0-7', `bytes=8-${n - 1}`], `${shard} asked of the Hub`);
      assert.deepEqual(served, asked, `${shard} read from the download host with the same ranges`);
    }
    assert.deepEqual([...origins].sort(), [DOWNLOAD, HUB, new URL(site.url).origin].sort());
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
