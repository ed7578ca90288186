// "The command that runs it": the launch command of the setup on screen (command, of the tools module, written once the
// box is open), copyable, with what a command cannot carry; and the reverse — a pasted vLLM, SGLang, trtllm-serve,
// llama-server, Ollama, Transformers or mlx_lm command read into the form (fromCommand). Pasted text stays in the page.
(function (page) {
  'use strict';

  var D = page.dom;

  // opts: { api, tools, store, onApply } — tools() → Promise of the API that reads commands (FitMyGPU.tools()); onApply()
  // refills the form and updates after a pasted command is applied.
  function create(opts) {
    var store = opts.store;
    var el = D.elements({
      box: 'command-box', text: 'command-text', copy: 'command-copy', notes: 'command-notes',
      paste: 'command-paste', read: 'command-read', status: 'command-status', ignored: 'command-ignored',
    });

    // The command of the request now on screen, written by the tools module while the box is open; a later request
    // wins over an earlier one still loading.
    var shown = null;
    var writing = D.latest();
    function show(req) {
      shown = req;
      el.box.removeAttribute('data-command-ready');
      if (!el.box.open) return Promise.resolve();
      return writing(opts.tools(), function (tools) {
        var result;
        try {
          result = tools.command(req);
        } catch (e) {
          return clear();
        }
        D.setText(el.text, result.command);
        D.listItems(el.notes, result.notes);
        el.copy.disabled = false;
        el.box.setAttribute('data-command-ready', 'true');
      }, el.text);
    }

    function clear() {
      el.box.removeAttribute('data-command-ready');
      D.setText(el.text, '');
      D.listItems(el.notes, []);
      el.copy.disabled = true;
    }

    function copy() {
      var text = el.text.textContent;
      D.copyText(text, function (ok) {
        D.setText(el.copy, ok ? 'Copied' : 'Copy failed');
        el.copy.setAttribute('data-copied', ok ? 'true' : 'false');
        setTimeout(function () { D.setText(el.copy, 'Copy command'); }, 2000);
      });
    }

    // A pasted command → the form, once the tools module has read it (→ Promise). The GPUs stay as chosen: a command
    // does not name them. A later read wins over an earlier one still loading.
    var reading = D.latest();
    function read() {
      var text = el.paste.value;
      D.listItems(el.ignored, []);
      if (!text.trim()) return Promise.resolve(D.setText(el.status, 'Paste a launch command first.'));
      D.setText(el.status, 'Reading the command\u2026');
      return reading(opts.tools(), function (tools) { apply(tools.fromCommand(text)); }, el.status);
    }

    function apply(result) {
      var q = result.request;
      var said = [];
      if (q.model && !store.catalog.modelsById[q.model]) said.push('The model ' + q.model.replace(/^hf:/, '') + ' is not in the catalog; the model picker keeps ' + store.setup.model + '.');
      else if (!q.model) said.push('No model could be read from the command; the model picker keeps ' + store.setup.model + '.');
      // What the command does not say takes the engine's default.
      store.applyRequest(Object.assign({ concurrency: 1, kv_cache_dtype: 'auto', weights: '' }, q), true);
      D.setText(el.status, 'Read a ' + store.runtimeName(result.runtime) + ' command. ' + said.join(' '));
      // A repository the catalog lacks can be read from the Hub, when asked.
      var hub = q.model && /^hf:/.test(q.model) && opts.onHubRepo ? page.hub.parseRepo(q.model) : null;
      if (hub) {
        var b = D.make('button', 'link', 'Read ' + hub.repo + ' from the Hugging Face Hub');
        b.type = 'button';
        b.setAttribute('data-testid', 'command-hub');
        b.addEventListener('click', function () { opts.onHubRepo(hub); });
        el.status.appendChild(document.createTextNode(' '));
        el.status.appendChild(b);
      }
      D.listItems(el.ignored, result.ignored.map(function (i) {
        return i.flag + ': ' + (i.known ? i.reason : 'not a flag FitMyGPU knows; left out');
      }));
      opts.onApply();
    }

    function wire() {
      el.box.addEventListener('toggle', function () { if (el.box.open && shown) show(shown); });
      el.copy.addEventListener('click', copy);
      el.read.addEventListener('click', read);
      // Reading a command needs the tools module: it starts loading once someone is about to paste one.
      el.paste.addEventListener('focus', function () { opts.tools().catch(function () {}); });
    }

    return { show: show, clear: clear, read: read, wire: wire };
  }

  page.command = { create: create };
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
