// Shared by the node tests: where the shipped files are, and the module loaded from them.
'use strict';
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
// The bundle that ships (scripts/build copies it into the site), not the one in the build tree.
const BUNDLE = process.env.FITMYGPU_BUNDLE || path.join(ROOT, 'build', 'site', 'fitmygpu.js');
const CLI = process.env.FITMYGPU_CLI || path.join(ROOT, 'build', 'native', 'fitmygpu');
const FIXTURES = path.join(ROOT, 'tests', 'fixtures');
const GIB = 2 ** 30;

function loadBundle() {
  return require(BUNDLE);
}

module.exports = { ROOT, BUNDLE, CLI, FIXTURES, GIB, loadBundle };
