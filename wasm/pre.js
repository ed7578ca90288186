// Runs inside the Emscripten factory (--pre-js), before the runtime starts: where the module's bytes come from. Both
// modules use it (fitmygpu.js with fitmygpu.wasm, fitmygpu-tools.js with fitmygpu-tools.wasm); NAME below stands for the
// module's file name without .wasm.
//
//   over http(s)   NAME.wasm beside the script, compiled while it downloads (WebAssembly.instantiateStreaming)
//                  when the host serves it as application/wasm, else from its bytes once downloaded
//   file://, the offline file, or a fetch that fails (a cross-origin host without CORS, a connect-src policy)
//                  NAME-wasm.js: the same bytes as base64 in a classic script (globalThis.FitMyGPUWasm['NAME.wasm']),
//                  which a <script> element may load where fetch may not; the facade starts loading fitmygpu-wasm.js
//                  early on file:// pages, and the offline file carries both inline
//   node           NAME.wasm read from the script's folder
// A caller's own wasmBinary or instantiateWasm wins. Performance marks (NAME-wasm-*) time each step for
// scripts/bench-page.
if (!Module['instantiateWasm'] && !Module['wasmBinary']) {
  Module['instantiateWasm'] = function (imports, receiveInstance) {
    var fileName = String(wasmBinaryFile).replace(/[?#].*$/, '').replace(/^.*\//, '');  // fitmygpu.wasm
    var base = fileName.replace(/\.wasm$/, '');
    function mark(step) {
      if (typeof performance !== 'undefined' && performance.mark) {
        try {
          performance.mark(base + '-' + step);
        } catch (e) {
          // marks are only for measuring
        }
      }
    }
    function embeddedText() {
      var all = typeof globalThis !== 'undefined' ? globalThis['FitMyGPUWasm'] : null;
      return all && typeof all[fileName] === 'string' ? all[fileName] : null;
    }
    function decode(text) {
      mark('wasm-decode-start');
      var bytes;
      if (typeof atob === 'function') {
        var binary = atob(text);
        bytes = new Uint8Array(binary.length);
        for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      } else {
        bytes = new Uint8Array(Buffer.from(text, 'base64'));
      }
      mark('wasm-decode-end');
      return bytes;
    }
    function fromBytes(bytes) {
      mark('wasm-compile-start');
      return WebAssembly.instantiate(bytes, imports);
    }
    // NAME-wasm.js, by a <script> element (or importScripts in a worker); one element per page and module.
    function loadEmbedded() {
      return new Promise(function (resolve, reject) {
        if (embeddedText()) return resolve(embeddedText());
        var url = locateFile(base + '-wasm.js');
        if (ENVIRONMENT_IS_WORKER) {
          importScripts(url);
          return embeddedText() ? resolve(embeddedText()) : reject(new Error(url + ' did not define the module'));
        }
        var script = document.querySelector('script[data-fitmygpu-wasm="' + fileName + '"]');
        if (!script) {
          script = document.createElement('script');
          script.src = url;
          script.setAttribute('data-fitmygpu-wasm', fileName);
          script.setAttribute('data-state', 'loading');
          script.addEventListener('load', function () { script.setAttribute('data-state', 'loaded'); });
          script.addEventListener('error', function () { script.setAttribute('data-state', 'failed'); });
          (document.head || document.documentElement).appendChild(script);
        }
        var state = script.getAttribute('data-state');
        if (state === 'failed') return reject(new Error('could not load ' + script.src));
        if (state === 'loaded') return embeddedText() ? resolve(embeddedText()) : reject(new Error(script.src + ' did not define the module'));
        script.addEventListener('load', function () {
          if (embeddedText()) resolve(embeddedText());
          else reject(new Error(script.src + ' did not define the module'));
        });
        script.addEventListener('error', function () { reject(new Error('could not load ' + script.src)); });
      }).then(decode).then(fromBytes);
    }
    function streamed() {
      mark('wasm-fetch-start');
      return fetch(wasmBinaryFile, { credentials: 'same-origin' }).then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status + ' for ' + wasmBinaryFile);
        var type = (response.headers.get('content-type') || '').split(';')[0].trim().toLowerCase();
        if (type === 'application/wasm' && typeof WebAssembly.instantiateStreaming === 'function') {
          mark('wasm-compile-start');
          return WebAssembly.instantiateStreaming(response, imports);
        }
        return response.arrayBuffer().then(function (buffer) {
          mark('wasm-fetch-end');
          return fromBytes(buffer);
        });
      });
    }

    // A page whose own policy (a CSP <meta>) keeps fetch from the module's address gets the embedded form
    // directly, rather than a blocked request and a console error first.
    function policyAllowsFetch(url) {
      if (typeof document === 'undefined' || !document.querySelectorAll || typeof URL !== 'function') return true;
      var target = new URL(url, location.href);
      var metas = document.querySelectorAll('meta[http-equiv="Content-Security-Policy" i]');
      for (var i = 0; i < metas.length; i++) {
        var directives = (metas[i].getAttribute('content') || '').split(';').map(function (d) { return d.trim().split(/\s+/); });
        var rule = directives.filter(function (d) { return d[0] === 'connect-src'; })[0] || directives.filter(function (d) { return d[0] === 'default-src'; })[0];
        if (!rule) continue;
        var allowed = rule.slice(1).some(function (source) {
          if (source === '*') return true;
          if (source === "'self'") return target.origin === location.origin;
          return /^https?:\/\/[^*]+$/.test(source) && target.href.indexOf(source.replace(/\/?$/, '/')) === 0;
        });
        if (!allowed) return false;
      }
      return true;
    }

    // The module web/boot.js began compiling (or only downloading) when the page opened, if it is this file: instantiated
    // here; null if none.
    function precompiled() {
      var early = typeof globalThis !== 'undefined' ? globalThis['FitMyGPUCompiling'] : null;
      if (!early || !(early.module || early.bytes) || typeof URL !== 'function' || typeof location === 'undefined') return null;
      if (early.url !== new URL(wasmBinaryFile, location.href).href) return null;
      if (early.bytes) {
        return early.bytes.then(function (buffer) {
          mark('wasm-fetch-end');
          return fromBytes(buffer);
        });
      }
      mark('wasm-compile-start');
      return early.module.then(function (module) {
        return WebAssembly.instantiate(module, imports).then(function (instance) {
          return { instance: instance, module: module };
        });
      });
    }

    var loading;
    if (embeddedText()) loading = fromBytes(decode(embeddedText()));
    else if (ENVIRONMENT_IS_NODE) loading = Promise.resolve().then(function () { return fromBytes(readBinary(wasmBinaryFile)); });
    else if (typeof location !== 'undefined' && (location.protocol === 'file:' || !policyAllowsFetch(wasmBinaryFile))) loading = loadEmbedded();
    else {
      var early = precompiled();
      loading = (early ? early.catch(function () { return streamed(); }) : streamed()).catch(function (reason) {
        // A WebAssembly policy error will fail the same way from the embedded bytes: report the first reason.
        return loadEmbedded().catch(function () { throw reason; });
      });
    }
    loading
      .then(function (output) {
        mark('wasm-instantiated');
        receiveInstance(output['instance'], output['module']);
      })
      .catch(function (reason) {
        try {
          abort('could not instantiate the FitMyGPU wasm module: ' + reason);
        } catch (e) {
          // abort() has rejected the factory's promise with this error; nothing else to do here.
        }
      });
    return {};  // the exports arrive later, through receiveInstance
  };
}
