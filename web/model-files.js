// The "model from the Hub or from your files" box: a repository id (typed here, in the model search, or given in the
// address as ?model=hf:ORG/NAME), an access token kept in memory, a GGUF file choice, and files dropped or picked.
// hub.js reads the headers; this file shows what was read, adds the model to the store (store.addCustom) and hands
// over to opts.onModel() so the form and the estimate follow. Every text from the Hub or a file is set as text.
(function (page) {
  'use strict';

  var U = page.units;
  var D = page.dom;
  var H = page.hub;

  function create(opts) {
    var store = opts.store;
    var el = D.elements({
      box: 'model-files', repo: 'hub-repo', token: 'hub-token', load: 'hub-load', ggufField: 'hub-gguf-field', gguf: 'hub-gguf',
      fileInput: 'model-file-input', dropZone: 'drop-zone', status: 'hub-status', error: 'hub-error', facts: 'hub-facts', base: 'hub-base',
    });
    var generation = 0;
    var lastRef = null;

    function progress(mine) {
      return function (text) { if (mine === generation) D.setText(el.status, text); };
    }

    function showError(message) {
      D.setText(el.error, message);
      el.error.hidden = !message;
    }

    function fact(term, value) {
      var div = D.make('div');
      div.appendChild(D.make('dt', '', term));
      div.appendChild(D.make('dd', '', value));
      return div;
    }

    // What was read, and the catalog model it is based on (its card's base_model) when the catalog has it.
    function showFound(found) {
      var ins = found.inspection;
      var items = [fact('Read', found.name), fact('Format', ins.format + (found.weights ? ' (' + found.weights + ')' : ''))];
      if (ins.architecture) items.push(fact('Architecture', ins.architecture));
      if (typeof ins.parameters === 'number') items.push(fact('Parameters', U.params(ins.parameters) + ' (' + U.integer(ins.parameters) + ')'));
      if (typeof ins.tensor_bytes === 'number') items.push(fact('Tensor bytes', U.size(ins.tensor_bytes) + ' (' + U.integer(ins.tensor_bytes) + ' bytes)'));
      if (ins.tensor_count) items.push(fact('Tensors', U.integer(ins.tensor_count)));
      (ins.not_understood || []).forEach(function (t) { items.push(fact('Note', t)); });
      D.fill(el.facts, items);
      var bases = (found.base || []).map(function (b) {
        var id = store.findModel(b);
        return { repo: b, id: id && store.catalog.modelsById[id] && !store.custom(id) ? id : null };
      });
      var own = found.repo ? store.findModel(found.repo) : null;
      el.base.replaceChildren();
      var link = bases.filter(function (b) { return b.id; })[0];
      if (own && !store.custom(own)) link = { repo: found.repo, id: own, self: true };
      if (link) {
        var m = store.catalog.modelsById[link.id];
        el.base.appendChild(document.createTextNode(link.self ? 'The catalog lists this repository under ' + m.name + '. ' : 'A fine-tune of ' + link.repo + ', which the catalog has as ' + m.name + '. '));
        var b = D.make('button', 'link', 'Show ' + m.name + ' from the catalog');
        b.type = 'button';
        b.setAttribute('data-testid', 'hub-base-link');
        b.addEventListener('click', function () { opts.onCatalogModel(link.id); });
        el.base.appendChild(b);
        el.base.hidden = false;
      } else if (bases.length) {
        el.base.appendChild(document.createTextNode('Its model card names ' + bases.map(function (x) { return x.repo; }).join(', ') + ' as its base model, which the catalog does not have.'));
        el.base.hidden = false;
      } else el.base.hidden = true;
    }

    function showGguf(gguf) {
      el.ggufField.hidden = !gguf || gguf.choices.length < 2;
      if (!gguf) return;
      D.fill(el.gguf, gguf.choices.map(function (c) { return D.option(c.name, c.name + (c.parts.length > 1 ? ' (' + c.parts.length + ' parts)' : '')); }));
      el.gguf.value = gguf.chosen;
    }

    // inspect's answer → the model on the page, or an explanation of what is missing.
    function use(found, id) {
      var ins = found.inspection;
      if (!found.request) {
        var why = (ins.missing_files || []).length ? 'files of the checkpoint are missing: ' + ins.missing_files.join(', ') : (ins.not_understood || []).join('; ');
        throw new Error('The headers were read, but they do not describe a model the estimator can size' + (why ? ' (' + why + ')' : '') + '.');
      }
      found.id = id;
      found.weights = found.request.weights || '';
      store.addCustom(found);
      showFound(found);
      opts.onModel(id);
    }

    function fail(mine, err) {
      if (mine !== generation) return;
      store.pending.model = '';
      D.setText(el.status, '');
      showError(err && err.message ? err.message : String(err));
      opts.onFailed();
    }

    // Reads a Hub repository ({repo, revision, tag}, from hub.parseRepo); file: a GGUF file chosen by name.
    function loadHub(ref, file) {
      var mine = ++generation;
      lastRef = ref;
      el.box.open = true;
      el.repo.value = ref.repo + (ref.revision !== 'main' ? '@' + ref.revision : '');
      showError('');
      store.pending.model = H.modelId(ref);
      var token = el.token.value.trim();
      return H.readHub(opts.tools(), ref, token, progress(mine), file).then(function (found) {
        if (mine !== generation) return;
        found.name = ref.repo;
        found.repo = ref.repo;
        var weights = found.request && found.request.weights;
        var tag = weights && weights.indexOf('gguf:') === 0 ? weights.slice(5) : '';
        var id = H.modelId({ repo: ref.repo, revision: ref.revision, tag: tag });
        showGguf(found.gguf);
        store.pending.model = '';
        D.setText(el.status, 'Read ' + ref.repo + ' from the Hugging Face Hub.');
        use(found, id);
      }).catch(function (err) { fail(mine, err); });
    }

    function loadFiles(files) {
      var mine = ++generation;
      showError('');
      el.box.open = true;
      el.ggufField.hidden = true;
      return H.readFiles(opts.tools(), files, progress(mine)).then(function (found) {
        if (mine !== generation) return;
        found.name = found.label;
        D.setText(el.status, 'Read ' + found.label + ' from this computer; nothing was uploaded.');
        use(found, 'file:' + found.label);
      }).catch(function (err) { fail(mine, err); });
    }

    function wire() {
      // The box is only for files and repositories, which the tools module reads: it starts loading when the box opens.
      el.box.addEventListener('toggle', function () { if (el.box.open) opts.tools().catch(function () {}); });
      el.load.addEventListener('click', function () {
        var ref = H.parseRepo(el.repo.value);
        if (!ref) {
          showError('A Hub repository is written ORG/NAME (optionally @revision, and :TYPE for a GGUF file type), e.g. Qwen/Qwen3-8B.');
          return;
        }
        loadHub(ref);
      });
      el.repo.addEventListener('keydown', function (e) {
        if (e.key !== 'Enter') return;
        e.preventDefault();
        el.load.click();
      });
      el.gguf.addEventListener('change', function () {
        if (lastRef) loadHub({ repo: lastRef.repo, revision: lastRef.revision, tag: '' }, el.gguf.value);
      });
      el.fileInput.addEventListener('change', function () {
        if (el.fileInput.files && el.fileInput.files.length) loadFiles(el.fileInput.files);
      });
      // Files dropped anywhere on the page.
      var over = function (e) {
        if (!e.dataTransfer || Array.prototype.indexOf.call(e.dataTransfer.types || [], 'Files') < 0) return;
        e.preventDefault();
        el.dropZone.classList.add('drop-active');
      };
      document.addEventListener('dragover', over);
      document.addEventListener('dragenter', over);
      document.addEventListener('dragleave', function () { el.dropZone.classList.remove('drop-active'); });
      document.addEventListener('drop', function (e) {
        el.dropZone.classList.remove('drop-active');
        if (!e.dataTransfer || !e.dataTransfer.files || !e.dataTransfer.files.length) return;
        e.preventDefault();
        loadFiles(e.dataTransfer.files);
      });
    }

    return { wire: wire, loadHub: loadHub, loadFiles: loadFiles };
  }

  page.modelFiles = { create: create };
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
