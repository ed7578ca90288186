// scripts/minify-page, which the site build runs over index.html, plan.html and style.css: comments and indentation
// go, and nothing a browser reads changes.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const { minifyHtml, minifyCss, cssReading, htmlReading } = require(path.join(ROOT, 'scripts', 'minify-page'));

test('minify-page: CSS loses comments and spaces, keeps strings, descendant combinators and values', () => {
  const css = '/* head */\n:root {\n  --mono: ui-monospace, "Liberation  Mono";\n}\n' +
    '.a .b > p,\n.c:hover {\n  margin: 0 auto; /* inline */\n  content: "/* not a comment */ ; { }";\n}\n' +
    '@media (max-width: 600px) {\n  .a { padding: 1px 2px; }\n}\n';
  const small = minifyCss(css);
  assert.strictEqual(small,
    ':root{--mono: ui-monospace,"Liberation  Mono"}.a .b > p,.c:hover{margin: 0 auto;content: "/* not a comment */ ; { }"}' +
    '@media (max-width: 600px){.a{padding: 1px 2px}}\n');
  assert.deepStrictEqual(cssReading(small), cssReading(css));
  // The check sees a space lost between two selectors (".a .b" is not ".a.b") and a string changed.
  assert.notDeepStrictEqual(cssReading('.a.b{x:1}'), cssReading('.a .b{x:1}'));
  assert.notDeepStrictEqual(cssReading('p{content:"a  b"}'), cssReading('p{content:"a b"}'));
});

test('minify-page: HTML loses comments and indentation, and keeps the inside of pre, textarea, script and style', () => {
  const html = '<!doctype html>\n<!-- a note -->\n<p>\n    One <b>two</b>\n    three\n</p>\n<pre>\n  kept   as is\n</pre>\n' +
    '<textarea>\n  also kept\n</textarea>\n';
  const small = minifyHtml(html);
  assert.strictEqual(small, '<!doctype html>\n<p>\nOne <b>two</b>\nthree\n</p>\n<pre>\n  kept   as is\n</pre>\n<textarea>\n  also kept\n</textarea>\n');
  assert.deepStrictEqual(htmlReading(small), htmlReading(html));
  assert.notDeepStrictEqual(htmlReading('<p>onetwo</p>'), htmlReading('<p>one two</p>'));
});

test('minify-page: the site\'s own files get smaller and read the same', () => {
  for (const name of ['index.html', 'plan.html', 'style.css']) {
    const source = fs.readFileSync(path.join(ROOT, 'web', name), 'utf8');
    const small = name.endsWith('.css') ? minifyCss(source) : minifyHtml(source);
    const read = name.endsWith('.css') ? cssReading : htmlReading;
    assert.deepStrictEqual(read(small), read(source), name);
    assert.ok(small.length < source.length * 0.95, `${name}: ${source.length} -> ${small.length}`);
  }
});
