// What the browser suites share: Debian's Chromium with the flags this sandbox needs, the viewport sizes,
// and a page opener that records console errors, page errors, failed requests and every requested URL.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { serve } = require('./static-server.js');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// Root in a sandbox needs --no-sandbox; the background-networking flags keep Chromium from reaching for
// hosts this machine cannot resolve (see the toolchain notes).
const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];
const DESKTOP = { viewport: { width: 1280, height: 900 } };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
}

// Opens url in a fresh context of `browser`; `ready(page)` waits for whatever the suite calls loaded.
async function openPage(browser, url, options, ready) {
  const context = await browser.newContext(options || DESKTOP);
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console.${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()}`));
  page.on('request', (req) => requests.push(req.url()));
  await page.goto(url);
  if (ready) await ready(page);
  return { context, page, problems, requests };
}

// What every suite does before its tests: the built files it needs exist, the artifacts folder is there, the
// site is served under `base`, Chromium runs; with `withApi` the shipped module is loaded in node too.
async function startSite({ site, required, base, artifacts, withApi = false }) {
  for (const f of required) assert.ok(fs.existsSync(path.isAbsolute(f) ? f : path.join(site, f)), `no ${f} in ${site} (run scripts/build)`);
  fs.mkdirSync(artifacts, { recursive: true });
  const api = withApi ? await require(path.join(site, 'fitmygpu.js')).ready() : null;
  const server = await serve(site, base);
  const browser = await launch();
  return { api, server, browser };
}

async function stopSite({ browser, server }) {
  if (browser) await browser.close();
  if (server) await server.close();
}

module.exports = { CHROMIUM, LAUNCH_ARGS, DESKTOP, PHONE, launch, openPage, startSite, stopSite };
