// Starts the estimator's module downloading and compiling as soon as the page opens, over http(s): the scripts that
// use it run only once the page is parsed, and fitmygpu.js (wasm/pre.js) then takes this compiled module instead of
// fetching its own. Loaded without defer, before the stylesheet, so that it runs first; from file:// (where fetch
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
  var compiling = WebAssembly.compileStreaming(fetch(url, { credentials: 'same-origin' }));
  compiling.catch(function () {});
  window.FitMyGPUCompiling = { url: url, module: compiling };
})();
