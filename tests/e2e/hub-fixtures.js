// The recorded Hub answers the Hub browser suites share: the fixture files (tests/fixtures/hub), the Hub's CORS
// headers, and a file's bytes in a requested range — its recorded header, then zeros (the weights, which the page
// must never ask for).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'hub');
const SIZES = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'sizes.json'), 'utf8'));

const header = (name) => fs.readFileSync(path.join(FIXTURES, name + '.header'));
const text = (name) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

function cors(extra) {
  return Object.assign({
    'access-control-allow-origin': '*',
    'access-control-allow-headers': 'authorization, range',
    'access-control-expose-headers': 'content-range, content-length',
  }, extra || {});
}

// A 206 answer for `range` ("bytes=A-B") of a file {header, size}: {headers, body}; null without a single range.
function byteRange(f, range) {
  const m = /^bytes=(\d+)-(\d+)$/.exec(range || '');
  if (!m) return null;
  const start = Number(m[1]);
  const end = Math.min(Number(m[2]), f.size - 1);
  const body = Buffer.alloc(end - start + 1);
  f.header.copy(body, 0, Math.min(start, f.header.length), Math.min(end + 1, f.header.length));
  return { headers: cors({ 'content-range': `bytes ${start}-${end}/${f.size}`, 'content-type': 'application/octet-stream' }), body };
}

module.exports = { FIXTURES, SIZES, header, text, cors, byteRange };
