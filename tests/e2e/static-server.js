// A tiny static file server for the browser tests: serves one folder under a path prefix (a sub-path such
// as /repo/, like a project page) on a free loopback port, and records every request it answers.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
};

/**
 * Serves `root` under `prefix` on 127.0.0.1 and a free port.
 * @returns {Promise<{url: string, requests: string[], close: () => Promise<void>}>}
 */
function serve(root, prefix = '/') {
  const requests = [];
  const base = path.resolve(root);
  const server = http.createServer((req, res) => {
    requests.push(req.url);
    const pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !pathname.startsWith(prefix)) {
      res.writeHead(404).end();
      return;
    }
    let file = path.join(base, pathname.slice(prefix.length));
    if (file !== base && !file.startsWith(base + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    if (pathname.endsWith('/')) file = path.join(file, 'index.html');
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}${prefix}`,
        requests,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

module.exports = { serve };
