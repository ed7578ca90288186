// scripts/minify-js, which the site build runs over the page's scripts: the rewritten code must read as the same
// tokens, keep every line break automatic semicolon insertion depends on, and lose the comments; then, with its local
// names shortened, be the same program with the same globals.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const ROOT = path.resolve(__dirname, '..', '..');
const { minify, sameTokens } = require(path.join(ROOT, 'scripts', 'minify-js'));

// Runs code in a fresh context and returns the value of `out`.
function run(code) {
  const context = { out: undefined };
  vm.runInNewContext(code, context);
  return context.out;
}

test('minify-js: the cases where white space carries meaning', () => {
  const cases = [
    // A line break ends `return`: the function returns undefined, not 1.
    ['out = (function () { return\n1; })();', undefined],
    // No semicolon before a parenthesis on the next line: the line break must stay for the code to mean the same.
    ['var a = 1\nvar b = 2\nout = a + b', 3],
    // a + +b and a - -b must not become a++b or a--b.
    ['var a = 2, b = 3; out = a + +b;', 5],
    ['var a = 2, b = 3; out = a - -b;', 5],
    // A number followed by a property access.
    ['out = 1 .toString() + 2..toString();', '12'],
    // Regular-expression and template literals are copied as they are, white space included.
    ['out = "a  b".replace(/ {2}/g, "-") + `x  ${1 + 1}  y`;', 'a-bx  2  y'],
    // Keywords and names keep one space between them.
    ['var o = { k: 1 }; out = typeof o + ("k" in o) + (o instanceof Object);', 'objecttruetrue'],
    // A division followed by a regular expression.
    ['var x = 6; out = x / /2/.source.length;', 6],
  ];
  for (const [code, expected] of cases) {
    const small = minify(code);
    assert.ok(sameTokens(code, small), `${code} → ${small}`);
    assert.strictEqual(run(small), expected, `${code} → ${small}`);
  }
});

test('minify-js: comments go, and every page script reads as the same tokens and runs the same', () => {
  const withComments = '// a comment\nvar a = 1; /* block\ncomment */ var b = 2;\n/** doc */\nout = a + b; // tail\n';
  const small = minify(withComments);
  assert.doesNotMatch(small, /comment|doc|tail/);
  assert.strictEqual(run(small), 3);
  const scripts = fs.readdirSync(path.join(ROOT, 'web')).filter((f) => f.endsWith('.js'));
  assert.ok(scripts.length >= 15, `web/ has ${scripts.length} scripts`);
  for (const name of scripts) {
    const source = fs.readFileSync(path.join(ROOT, 'web', name), 'utf8');
    const out = minify(source);
    assert.ok(sameTokens(source, out), name);
    assert.ok(out.length < source.length, `${name}: ${source.length} → ${out.length} characters`);
    // The same number of lines of code: no statement was joined to the next.
    const codeLines = (text) => text.split('\n').filter((l) => l.trim() && !/^\s*(\/\/|\/\*|\*)/.test(l)).length;
    assert.ok(out.split('\n').length <= codeLines(source) + 1, name);
  }
});

test('minify-js: local names get short ones, globals and properties keep theirs, and the program runs the same', () => {
  const { shortenNames, sameProgram } = require(path.join(ROOT, 'scripts', 'minify-js'));
  const code = 'var total = 0;\nfunction addAll(values, weightOfEach) {\n  var sum = 0;\n' +
    '  values.forEach(function (value) { sum += value * weightOfEach; });\n  return { sum: sum, count: values.length };\n}\n' +
    'out = addAll([1, 2, 3], 2).sum + total;\n';
  const short = shortenNames(code);
  assert.ok(short.length < code.length, short);
  assert.doesNotMatch(short, /weightOfEach/);             // a parameter is renamed
  assert.match(short, /function addAll\(/);               // a top-level function is a global: it stays
  assert.match(short, /\.forEach\(/);                     // properties stay
  assert.match(short, /\bsum:/);                          // object keys stay
  assert.deepStrictEqual(sameProgram(code, short), []);
  assert.strictEqual(run(short), 12);
  // The check finds what a faulty renaming would do: a global or a property renamed, a literal changed, a global gone.
  assert.notDeepStrictEqual(sameProgram('function f(a) { return x + a; }', 'function f(b) { return y + b; }'), []);
  assert.notDeepStrictEqual(sameProgram('function f(a) { return a.size; }', 'function f(b) { return b.s; }'), []);
  assert.notDeepStrictEqual(sameProgram('var o = { alpha: 1 };', 'var o = { a: 1 };'), []);
  assert.notDeepStrictEqual(sameProgram('f("a", 1);', 'f("b", 1);'), []);
  assert.notDeepStrictEqual(sameProgram('function keep(a) { return a; }', 'function k(a) { return a; }'), []);
  // Each page script, with its names shortened, is the same program.
  for (const name of fs.readdirSync(path.join(ROOT, 'web')).filter((f) => f.endsWith('.js'))) {
    const source = minify(fs.readFileSync(path.join(ROOT, 'web', name), 'utf8'));
    assert.deepStrictEqual(sameProgram(source, shortenNames(source)), [], name);
  }
});
