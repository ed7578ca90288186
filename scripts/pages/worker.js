// A worker thread of scripts/build-pages: loads the module once, then answers one model id at a time.
'use strict';

const { parentPort, workerData } = require('node:worker_threads');
const { modelFacts } = require('./facts.js');

require(workerData.bundle).ready().then((api) => {
  parentPort.on('message', (id) => {
    try {
      parentPort.postMessage({ id, facts: modelFacts(api, id) });
    } catch (e) {
      parentPort.postMessage({ id, error: `${e.code ? `${e.code}: ` : ''}${e.message}` });
    }
  });
  parentPort.postMessage({ ready: true });
}, (e) => { throw e; });
