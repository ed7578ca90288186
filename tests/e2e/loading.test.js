// How the estimator loads, in a real Chromium: the calculator streams fitmygpu.wasm over http (under a sub-path)
// and takes the base64 form from disk; a model page asks for the estimator only after its own content is
// loaded and painted; the widget stays readable on any host page in light and dark schemes, and shows an
// error's message once.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { after, before, describe, test } = require('node:test');
const { serve } = require('./static-server.js');
const { DESKTOP, openPage, startSite, stopSite } = require('./browser.js');

const ROOT = path.resolve(__dirname, '..', '..');
const SITE = process.env.FITMYGPU_SITE || path.join(ROOT, 'build', 'site');  // FITMYGPU_SITE: check another copy
const ARTIFACTS = path.join(ROOT, 'build', 'test-artifacts');
const MODEL = 'deepseek-r1-distill-llama-70b';
const VERDICT = 'fitmygpu-widget [data-testid="widget-verdict"][data-verdict]';

let browser;
let server;
let api;

before(async () => {
  ({ api, server, browser } = await startSite({ site: SITE, required: ['index.html', 'fitmygpu.js', 'fitmygpu.wasm', 'fitmygpu-wasm.js', path.join('models', `${MODEL}.html`)],
    base: '/fitmygpu/', artifacts: ARTIFACTS, withApi: true }));
});

after(() => stopSite({ browser, server }));

const open = (url, options, ready) => openPage(browser, url, options || DESKTOP, ready ? (page) => page.waitForSelector(ready, { timeout: 30000 }) : null);
const names = (session) => session.requests.map((u) => u.replace(/[?#].*$/, '').replace(/^.*\//, ''));
// Pastes a vLLM command and waits until the form has taken it.
async function readCommand(page) {
  await page.click('#command-box summary');
  await page.fill('[data-testid="command-paste"]', 'vllm serve Qwen/Qwen3-8B --max-model-len 8192');
  await page.click('[data-testid="command-read"]');
  await page.waitForFunction(() => window.__fitmygpuRequest && window.__fitmygpuRequest.model === 'qwen3-8b' && !document.documentElement.hasAttribute('data-busy'));
  assert.equal((await page.evaluate(() => window.__fitmygpuRequest)).context, 8192);
}

describe('the calculator', () => {
  test('over http under a sub-path, a plain load: the first verdict comes from the start answers while fitmygpu.wasm downloads', async () => {
    const session = await open(`${server.url}index.html`, DESKTOP, 'html[data-ready="true"]');
    try {
      assert.deepEqual(session.problems, []);
      const loaded = names(session);
      assert.ok(loaded.includes('fitmygpu.wasm'), 'the module is fetched');
      assert.ok(!loaded.includes('fitmygpu-wasm.js'), 'its base64 form is not');
      assert.ok(loaded.includes('calculator.js') && !loaded.includes('state.js'), 'the page scripts come as one file');
      assert.deepEqual(loaded.filter((n) => n.startsWith('fitmygpu-tools')), [], 'the tools module waits until a tool is used');
      const marks = await session.page.evaluate(() => performance.getEntriesByType('mark').map((m) => m.name));
      assert.ok(marks.includes('fitmygpu-start-answer estimate'), 'the first estimate is a start answer');
      assert.ok(marks.includes('fitmygpu-wasm-fetch-end') && marks.includes('fitmygpu-wasm-instantiated'), 'downloaded first, compiled after');
      assert.equal(await session.page.evaluate(() => document.querySelector('main').inert), false, 'the controls are live once the module is ready');
      // The start answers list the starting model and GPU alone; once the module is ready the menus hold every one.
      assert.equal(await session.page.$$eval('#model option', (o) => o.length), api.models({ derived: false }).length);
      const gpuOptions = await session.page.$$eval('#gpu option', (o) => o.map((x) => x.value));
      for (const g of api.gpus()) assert.ok(gpuOptions.includes(g.id), g.id);
      // Every later answer is the module's: a new context gives a new estimate.
      assert.notEqual((await session.page.textContent('[data-testid="verdict"]')).trim(), '\u2014', 'a verdict is shown');
      const request = await session.page.evaluate(() => window.__fitmygpuRequest);
      const expected = api.estimate(Object.assign({}, request, { context: 131072 }));
      await session.page.fill('#context', '131072');
      await session.page.waitForFunction(() => window.__fitmygpuRequest.context === 131072 && !document.documentElement.hasAttribute('data-busy'));
      const shown = await session.page.evaluate(() => JSON.parse(document.querySelector('[data-testid="result"]').getAttribute('data-request')));
      assert.equal(shown.context, 131072);
      assert.equal(await session.page.getAttribute('[data-testid="verdict"]', 'data-verdict'), expected.verdict);
      // Reading a launch command is a tool: its module is fetched now, as a script and a streamed module.
      await readCommand(session.page);
      const tools = names(session).filter((n) => n.startsWith('fitmygpu-tools'));
      assert.deepEqual(tools.sort(), ['fitmygpu-tools.js', 'fitmygpu-tools.wasm']);
    } finally {
      await session.context.close();
    }
  });

  test('over http, a setup in the address: fitmygpu.wasm is compiled as it streams, and no start answer is used', async () => {
    const session = await open(`${server.url}index.html?context=8192`, DESKTOP, 'html[data-ready="true"]');
    try {
      assert.deepEqual(session.problems, []);
      const marks = await session.page.evaluate(() => performance.getEntriesByType('mark').map((m) => m.name));
      assert.ok(marks.includes('fitmygpu-wasm-compile-start') && marks.includes('fitmygpu-wasm-instantiated'));
      // Streaming compilation: the response is handed to the compiler, so no arrayBuffer step is marked.
      assert.ok(!marks.includes('fitmygpu-wasm-fetch-end'), 'served as application/wasm, compiled while streaming');
      assert.ok(!marks.includes('fitmygpu-start-answer estimate'), 'the estimate is the module\'s');
      assert.equal((await session.page.evaluate(() => window.__fitmygpuRequest)).context, 8192);
    } finally {
      await session.context.close();
    }
  });

  test('from file://: the module comes from fitmygpu-wasm.js, with no fetch', async () => {
    const session = await open(pathToFileURL(path.join(SITE, 'index.html')).href, DESKTOP, 'html[data-ready="true"]');
    try {
      assert.deepEqual(session.problems, []);
      const loaded = names(session);
      assert.ok(loaded.includes('fitmygpu-wasm.js'));
      assert.ok(!loaded.includes('fitmygpu.wasm'));
      assert.notEqual((await session.page.textContent('[data-testid="verdict"]')).trim(), '\u2014', 'a verdict is shown');
      // The tools module the same way, once a tool is used: its script and its base64 form.
      assert.deepEqual(names(session).filter((n) => n.startsWith('fitmygpu-tools')), []);
      await readCommand(session.page);
      assert.deepEqual(names(session).filter((n) => n.startsWith('fitmygpu-tools')).sort(), ['fitmygpu-tools-wasm.js', 'fitmygpu-tools.js']);
    } finally {
      await session.context.close();
    }
  });
});

describe('a model page', () => {
  test('its content is loaded and painted before the widget asks for the estimator', async () => {
    const session = await open(`${server.url}models/${MODEL}.html`, DESKTOP, VERDICT);
    try {
      assert.deepEqual(session.problems, []);
      const t = await session.page.evaluate(() => {
        const wasm = performance.getEntriesByType('resource').find((r) => /\/fitmygpu\.wasm$/.test(r.name));
        const paint = performance.getEntriesByName('first-contentful-paint')[0];
        return {
          wasm: wasm ? wasm.startTime : null,
          load: performance.getEntriesByType('navigation')[0].loadEventEnd,
          paint: paint ? paint.startTime : null,
          title: document.querySelector('h1').textContent,
        };
      });
      assert.equal(t.title.trim(), api.model(MODEL).name);
      assert.ok(t.wasm !== null, 'the widget loaded the module');
      assert.ok(t.paint !== null && t.paint <= t.wasm, `painted at ${t.paint} ms, module asked for at ${t.wasm} ms`);
      assert.ok(t.load <= t.wasm, `load event at ${t.load} ms, module asked for at ${t.wasm} ms`);
    } finally {
      await session.context.close();
    }
  });
});

// WCAG 2 contrast of two CSS colours, rgb()/rgba() strings as getComputedStyle writes them.
function contrast(a, b) {
  const lum = (css) => {
    const [r, g, bl] = css.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('the widget on someone else\'s page', () => {
  let dir;
  let docs;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fitmygpu-host-'));
    for (const f of ['fitmygpu.js', 'fitmygpu.wasm', 'fitmygpu-wasm.js']) fs.copyFileSync(path.join(SITE, f), path.join(dir, f));
    fs.copyFileSync(path.join(SITE, 'widget', 'fitmygpu-widget.js'), path.join(dir, 'fitmygpu-widget.js'));
    for (const [name, bg, fg] of [['white', '#ffffff', '#111111'], ['dark', '#101010', '#f0f0f0']]) {
      fs.writeFileSync(path.join(dir, `${name}.css`), `html, body { background: ${bg}; color: ${fg}; }\n`);
      fs.writeFileSync(path.join(dir, `${name}.html`), `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'">
<title>A ${name} page</title><link rel="stylesheet" href="${name}.css">
<script src="fitmygpu.js" defer></script>
<script src="fitmygpu-widget.js" defer></script>
</head><body><h1>Serving Qwen3 8B</h1>
<fitmygpu-widget model="qwen3-8b" gpu="rtx-3060-12gb" runtime="llama.cpp" weights="gguf:Q4_K_M" context="8192"></fitmygpu-widget>
</body></html>`);
    }
    docs = await serve(dir, '/docs/');
  });
  after(async () => {
    if (docs) await docs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // Every element of the widget that shows text, with its colour and the first opaque background behind it.
  async function textColours(page) {
    return page.$eval('fitmygpu-widget', (w) => {
      const out = [];
      const background = (el) => {
        for (let n = el; n; n = n.parentNode instanceof ShadowRoot ? n.parentNode.host : n.parentElement) {
          const bg = getComputedStyle(n).backgroundColor;
          const alpha = bg.startsWith('rgba') ? Number(bg.match(/[\d.]+/g)[3]) : 1;
          if (alpha >= 0.99) return bg;
          if (n === document.documentElement) break;
        }
        return getComputedStyle(document.documentElement).backgroundColor;
      };
      for (const el of w.shadowRoot.querySelectorAll('*')) {
        const own = [...el.childNodes].some((c) => c.nodeType === Node.TEXT_NODE && c.textContent.trim());
        if (!own || el.closest('[hidden]') || el.tagName === 'OPTION' || el.tagName === 'STYLE') continue;
        out.push({ text: el.textContent.trim().slice(0, 40), color: getComputedStyle(el).color, background: background(el) });
      }
      return out;
    });
  }

  for (const [host, colorScheme] of [['white', 'dark'], ['dark', 'light'], ['white', 'light'], ['dark', 'dark']]) {
    test(`on a ${host} page with the reader's system ${colorScheme}: every text has a contrast of at least 4.5`, async () => {
      const session = await open(`${docs.url}${host}.html`, { ...DESKTOP, colorScheme }, VERDICT);
      try {
        assert.deepEqual(session.problems, []);
        const texts = await textColours(session.page);
        assert.ok(texts.length >= 8, `${texts.length} text elements`);
        for (const t of texts) {
          const ratio = contrast(t.color, t.background);
          assert.ok(ratio >= 4.5, `"${t.text}": ${t.color} on ${t.background} is ${ratio.toFixed(2)}:1`);
        }
        await session.page.screenshot({ path: path.join(ARTIFACTS, `widget-${host}-host-${colorScheme}.png`) });
      } finally {
        await session.context.close();
      }
    });
  }

  test('an error shows its message once, without the field name in front', async () => {
    const session = await open(`${docs.url}white.html`, DESKTOP, VERDICT);
    try {
      const widget = session.page.locator('fitmygpu-widget');
      // The estimator's own message for an unknown GPU, as node gets it from the same module.
      let expected;
      try {
        api.estimate({ model: 'qwen3-8b', gpu: 'no-such-gpu', runtime: 'llama.cpp', context: 8192 });
      } catch (e) {
        expected = e;
      }
      assert.equal(expected.field, 'gpu');
      const error = await widget.evaluate((w) => new Promise((resolve) => {
        w.addEventListener('fitmygpu-error', (e) => resolve(e.detail.error), { once: true });
        w.setAttribute('gpu', 'no-such-gpu');
      }));
      assert.equal(error.field, 'gpu');
      const shown = (await session.page.textContent('fitmygpu-widget [role="alert"]')).trim();
      assert.equal(shown, expected.message, 'the message as the estimator wrote it');
      assert.ok(!shown.startsWith('gpu: '), `no field name in front: ${shown}`);

      const unknown = await widget.evaluate((w) => new Promise((resolve) => {
        w.addEventListener('fitmygpu-error', (e) => resolve(e.detail.error), { once: true });
        w.setAttribute('gpu', 'rtx-3060-12gb');
        w.setAttribute('model', 'no-such-model');
      }));
      const text = (await session.page.textContent('fitmygpu-widget [role="alert"]')).trim();
      assert.equal(unknown.field, 'model');
      assert.equal(text, unknown.message, 'the event and the page say the same');
      assert.equal(text.split('no-such-model').length, 2, 'the model is named once');
      assert.ok(!/^model\b/i.test(text), `no field name in front: ${text}`);
    } finally {
      await session.context.close();
    }
  });
});
