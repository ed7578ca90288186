// Runs inside the Emscripten factory (--pre-js), before the runtime starts.
//
// A SINGLE_FILE build keeps the wasm as a base64 data: URI. Left alone, the 3.1.6 loader first fetch()es
// that URI and decodes it itself only when the fetch fails; a page whose Content-Security-Policy has no
// data: in connect-src blocks that fetch and logs a console error. Decoding the bytes here and instantiating
// from them makes no request at all, in browsers, workers and node alike (toolchain notes, "CSP and eval").
if (!Module['instantiateWasm'] && !Module['wasmBinary']) {
  Module['instantiateWasm'] = function (imports, receiveInstance) {
    var bytes = tryParseAsDataURI(wasmBinaryFile);
    var loading = bytes ? Promise.resolve(bytes) : getBinaryPromise();
    loading
      .then(function (binary) { return WebAssembly.instantiate(binary, imports); })
      .then(function (output) { receiveInstance(output['instance'], output['module']); })
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
