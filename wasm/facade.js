// The JavaScript API of FitMyGPU (--extern-post-js: appended after the Emscripten factory, outside it).
//
//   FitMyGPU.ready().then(function (api) {
//     var r = api.estimate({ model: 'llama-3.1-8b', gpu: 'rtx-4090', runtime: 'vllm' });
//     console.log(r.verdict, r.devices[0].required_bytes);
//   });
//
// FitMyGPU itself stays the raw factory (FitMyGPU(options) -> Promise of the Emscripten module); ready()
// is one memoized instance wrapped in an API object whose methods parse the JSON response and throw a
// FitMyGPU.Error (a real Error with .code, .field and .message) when the response is {"error": ...}.
// Loaded by <script src> it defines the global FitMyGPU; under require() it is module.exports.
// Performance marks fitmygpu-ready-start and fitmygpu-ready time ready() (scripts/bench-page). A script element
// with the attribute data-preload starts ready() at once.
(function (factory) {
  'use strict';
  if (typeof factory !== 'function') return;

  function mark(name) {
    if (typeof performance !== 'undefined' && performance.mark) {
      try {
        performance.mark(name);
      } catch (e) {
        // marks are only for measuring
      }
    }
  }

  // Where this script came from: the tools module and the base64 forms are beside it. A worker's own address stands
  // for it, as Emscripten's locateFile takes it; null when inlined (the offline file) and under node.
  var scriptSrc = null;
  if (typeof document !== 'undefined') {
    if (document.currentScript && document.currentScript.src) scriptSrc = document.currentScript.src;
  } else if (typeof importScripts === 'function' && typeof self !== 'undefined' && self.location) {
    scriptSrc = self.location.href;
  }
  function besideScript(name) { return scriptSrc.replace(/[^/]*$/, '') + name; }

  // A page opened from disk cannot fetch a module (wasmName: fitmygpu.wasm or fitmygpu-tools.wasm): its base64 form
  // (NAME-wasm.js, see pre.js) starts loading now, beside whatever else loads, so that it is there when the module's
  // script asks for it. The core module's starts with the page; the tools module's beside the tools' script.
  function preloadEmbedded(wasmName) {
    if (typeof document === 'undefined' || typeof location === 'undefined' || location.protocol !== 'file:' || !scriptSrc) return;
    var embedded = globalThis.FitMyGPUWasm;
    if ((embedded && typeof embedded[wasmName] === 'string') || document.querySelector('script[data-fitmygpu-wasm="' + wasmName + '"]')) return;
    var script = document.createElement('script');
    script.src = besideScript(wasmName.replace(/\.wasm$/, '-wasm.js'));
    script.setAttribute('data-fitmygpu-wasm', wasmName);
    script.setAttribute('data-state', 'loading');
    script.addEventListener('load', function () { script.setAttribute('data-state', 'loaded'); });
    script.addEventListener('error', function () { script.setAttribute('data-state', 'failed'); });
    (document.head || document.documentElement).appendChild(script);
  }
  preloadEmbedded('fitmygpu.wasm');

  /** An error answered by the estimator: .code (e.g. "invalid_field"), .field (e.g. "context"). */
  function FitMyGPUError(code, field, message) {
    var error = new Error(message || code);
    Object.setPrototypeOf(error, FitMyGPUError.prototype);
    error.name = 'FitMyGPUError';
    error.code = code || 'internal_error';
    error.field = field || '';
    if (Error.captureStackTrace) Error.captureStackTrace(error, FitMyGPUError);
    return error;
  }
  FitMyGPUError.prototype = Object.create(Error.prototype, {
    constructor: { value: FitMyGPUError, writable: true, configurable: true },
    name: { value: 'FitMyGPUError', writable: true, configurable: true },
  });

  function toText(request) {
    if (typeof request === 'string') return request;  // already JSON text: passed on unchanged
    if (request === undefined || request === null) return '{}';
    return JSON.stringify(request);
  }

  // Bytes (ArrayBuffer, a typed array or DataView) as base64, for inspect's data_base64.
  function bytesToBase64(data) {
    var bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    var binary = '';
    for (var i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return typeof btoa === 'function' ? btoa(binary) : Buffer.from(binary, 'binary').toString('base64');
  }
  // inspect's request: {files: [...]} or the array alone; a file's `data` (bytes) becomes data_base64.
  function inspectRequest(req) {
    if (typeof req === 'string') return req;
    var files = Array.isArray(req) ? req : req && req.files;
    if (!Array.isArray(files)) return req;
    return {
      files: files.map(function (f) {
        if (!f || f.data === undefined) return f;
        var out = {};
        for (var k in f) if (k !== 'data') out[k] = f[k];
        out.data_base64 = bytesToBase64(f.data);
        return out;
      }),
    };
  }

  // The answers a page asks for first (the schema and the model and GPU lists), written at build time from this same
  // module by scripts/start-data into fitmygpu-start.js, which sets the global FitMyGPUStart. A page that loads that
  // file gets them without running the module's code for them. Each answer is handed out once (the page keeps what it
  // is given; a later call asks the module), and only when it was written by a module of this version.
  function startAnswer(version, method, requestText) {
    var start = typeof FitMyGPUStart !== 'undefined' ? FitMyGPUStart : null;
    if (!start || start.version !== version || !start.answers) return null;
    var key = method + ' ' + requestText;
    if (!Object.prototype.hasOwnProperty.call(start.answers, key)) return null;
    var answer = start.answers[key];
    delete start.answers[key];
    return answer;
  }

  function makeApi(module) {
    var version = module['version']();
    // The raw binding: method + request text -> response text. api::call never throws; a JS exception
    // here means the module itself died (an abort), which is reported as an internal error.
    function call(method, requestText) {
      try {
        return module['call'](String(method), String(requestText));
      } catch (e) {
        return JSON.stringify({ error: { code: 'internal_error', field: '', message: 'the estimator stopped: ' + e } });
      }
    }
    function request(method, req) {
      var text = toText(req);
      var early = startAnswer(version, method, text);
      if (early) {
        mark('fitmygpu-start-answer ' + method);
        return early;
      }
      var response = JSON.parse(call(method, text));
      if (typeof factory.recorder === 'function') factory.recorder(method, text, response);
      if (response && response.error) {
        throw new FitMyGPUError(response.error.code, response.error.field, response.error.message);
      }
      return response;
    }
    return apiObject(version, call, request);
  }

  // The API's methods over request(method, request) -> answer (throwing FitMyGPUError) and the raw call.
  function apiObject(version, call, request) {
    return Object.freeze({
      version: version,
      call: call,
      request: request,
      estimate: function (req) { return request('estimate', req); },
      compare: function (req) { return request('compare', req); },
      quantizations: function (req) { return request('quantizations', req); },
      plan: function (req) { return request('plan', req); },
      defaults: function (req) { return request('defaults', req); },
      schema: function () { return request('schema', {}); },
      parseLog: function (text) { return request('parse_log', { log: String(text) }); },
      checkLog: function (req, text) { return request('check_log', { request: typeof req === 'string' ? JSON.parse(req) : req, log: String(text) }); },
      command: function (req) { return request('command', req); },
      fromCommand: function (text) { return request('from_command', { command: String(text) }); },
      models: function (req) { return request('models', req || {}).models; },
      gpus: function (req) { return request('gpus', req || {}).gpus; },
      search: function (query, kind) {
        return request('search', { query: String(query), kind: kind || 'models' }).results;
      },
      model: function (id) { return request('model', { model: id }); },
      inspect: function (req) { return request('inspect', inspectRequest(req)); },
    });
  }

  // FitMyGPU.early(): an API that answers from the start answers alone (fitmygpu-start.js), before the module has
  // downloaded, for a page that can show its first verdict meanwhile; null when there are none. Each answer is handed
  // out once, as ready()'s API does; any other request throws FitMyGPUError "not_ready". The answers carry the
  // version of the module that wrote them (early().version): a page compares it with ready()'s API's version.
  factory.early = function early() {
    var start = typeof FitMyGPUStart !== 'undefined' ? FitMyGPUStart : null;
    if (!start || typeof start.version !== 'string' || !start.answers) return null;
    function request(method, req) {
      var answer = startAnswer(start.version, method, toText(req));
      if (!answer) throw new FitMyGPUError('not_ready', '', 'the estimator is still loading');
      mark('fitmygpu-start-answer ' + method);
      return answer;
    }
    function call(method, requestText) {
      try {
        return JSON.stringify(request(method, requestText));
      } catch (e) {
        return JSON.stringify({ error: { code: e.code || 'internal_error', field: '', message: e.message } });
      }
    }
    return apiObject(start.version, call, request);
  };

  // A function that makes one instance of a module (load() → Promise of it), wraps it in the API and returns that
  // same Promise on every later call; after a failed load (a CSP that forbids wasm, a missing file) the next call tries
  // again. Performance marks `name`-start and `name` time it.
  function once(name, load) {
    var pending = null;
    return function () {
      if (!pending) {
        mark(name + '-start');
        pending = load().then(function (module) {
          var api = makeApi(module);
          mark(name);
          return api;
        });
        pending.catch(function () { pending = null; });
      }
      return pending;
    };
  }

  factory.ready = once('fitmygpu-ready', function () { return factory(); });

  // The tools module's factory (FitMyGPUTools): already defined where a page carries it (the offline file), else
  // fitmygpu-tools.js from beside this script: required under node, imported in a worker, a <script> element in a page.
  function loadToolsFactory() {
    if (typeof FitMyGPUTools === 'function') return Promise.resolve(FitMyGPUTools);
    if (typeof require === 'function' && typeof __dirname === 'string') {
      return Promise.resolve().then(function () { return require(require('path').join(__dirname, 'fitmygpu-tools.js')); });
    }
    if (!scriptSrc) return Promise.reject(new Error('fitmygpu-tools.js cannot be found: this page carries the core module inline'));
    if (typeof document === 'undefined') {
      return Promise.resolve().then(function () {
        importScripts(besideScript('fitmygpu-tools.js'));
        return FitMyGPUTools;
      });
    }
    preloadEmbedded('fitmygpu-tools.wasm');
    return new Promise(function (resolve, reject) {
      var script = document.createElement('script');
      script.src = besideScript('fitmygpu-tools.js');
      script.addEventListener('load', function () {
        if (typeof FitMyGPUTools === 'function') resolve(FitMyGPUTools);
        else reject(new Error(script.src + ' did not define FitMyGPUTools'));
      });
      script.addEventListener('error', function () { reject(new Error('could not load ' + script.src)); });
      (document.head || document.documentElement).appendChild(script);
    });
  }

  // FitMyGPU.tools(): a Promise of the API of the full module, fitmygpu-tools.js and fitmygpu-tools.wasm, loaded on the
  // first call. It answers every method, the tools among them (inspect, parseLog, checkLog, fromCommand, plan), which
  // ready()'s module leaves out to stay small: there they throw FitMyGPUError "in_tools_module".
  factory.tools = once('fitmygpu-tools', function () {
    return loadToolsFactory().then(function (toolsFactory) { return toolsFactory(); });
  });
  factory.Error = FitMyGPUError;
  // FitMyGPU.recorder: when set to a function, every answer the module gives is passed to it as (method, request text,
  // answer); scripts/start-data records the calculator's first requests this way.
  factory.recorder = null;

  // A script element with the attribute data-preload: a page that will ask for the estimator as soon as it starts has the
  // module downloaded and compiled from now on, while its other scripts load, rather than from its first ready(). Not
  // on a plain load (no query) of a page whose start answers are already there (fitmygpu-start.js before this script):
  // that page shows its first verdict from them, and decoding and compiling the module now would only hold it up.
  (function preload() {
    var script = typeof document !== 'undefined' ? document.currentScript : null;
    if (!script || !script.hasAttribute('data-preload')) return;
    var plain = typeof location !== 'undefined' && (!location.search || location.search === '?');
    if (plain && typeof FitMyGPUStart !== 'undefined') return;
    factory.ready();
  })();
})(typeof FitMyGPU !== 'undefined' ? FitMyGPU : undefined);
