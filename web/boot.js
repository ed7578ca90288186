// Starts the estimator's module downloading (and, with a setup in the address, compiling) as soon as the page opens,
// over http(s): the scripts that use it run only once the page is parsed, and fitmygpu.js (wasm/pre.js) then takes
// these bytes or this compiled module instead of fetching its own. Loaded without defer, before the stylesheet, so that it runs first; from file:// (where fetch
// cannot read files) and where streaming compilation is missing it does nothing, and fitmygpu.js loads the module the
// usual way. A failure here is not reported: fitmygpu.js fetches again and reports its own. Only a page whose policy lets
// it fetch from its own origin includes this script (index.html; plan.html's policy does not, and takes the base64 form).
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !/^https?:$/.test(location.protocol)) return;
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.compileStreaming !== 'function' || typeof fetch !== 'function') return;
  var url = new URL('fitmygpu.wasm', script.src).href;
  if (performance.mark) performance.mark('fitmygpu-wasm-fetch-start');
  var fetching = fetch(url, { credentials: 'same-origin' });
  if (!location.search || location.search === '?') {
    // A plain load shows its first verdict from the start answers (fitmygpu-start.js, web/app.js) before the module is
    // needed, and compiling while the page is parsed would hold the page up: the bytes only download meanwhile.
    var bytes = fetching.then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.arrayBuffer();
    });
    bytes.catch(function () {});
    window.FitMyGPUCompiling = { url: url, bytes: bytes };
    return;
  }
  var compiling = WebAssembly.compileStreaming(fetching);
  compiling.catch(function () {});
  window.FitMyGPUCompiling = { url: url, module: compiling };
})();
