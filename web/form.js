// The setup form: fills the pickers (model, checkpoint, runtime, GPU, KV cache type) and the workload fields from
// the store and the catalog, runs the two search boxes, and writes every change the user makes into the store,
// then calls onChange(delay) so the page updates (0 for menus and buttons, a short pause while typing). The
// engine knob controls are knob-controls.js.
(function (page) {
  'use strict';

  var U = page.units;
  var K = page.knobs;
  var D = page.dom;
  var CUSTOM = page.state.CUSTOM;

  var TYPING_MS = 150;
  var SEARCH_MS = 120;
  var CONTEXT_PRESETS = [2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 1048576];
  // GPU menu groups: vendors, then classes, in this order; Apple silicon last.
  var VENDOR_ORDER = ['NVIDIA', 'AMD', 'Intel', 'Apple'];
  var CLASS_ORDER = ['datacenter', 'workstation', 'consumer', 'integrated', 'apple'];

  function familyLabel(m) { return (m.family || m.name) + (m.company ? ' \u2014 ' + m.company : ''); }

  function gpuGroup(g) {
    if (g.class === 'apple' || g.vendor === 'Apple') return { order: 40, label: 'Apple silicon (unified memory)' };
    var v = VENDOR_ORDER.indexOf(g.vendor);
    var c = CLASS_ORDER.indexOf(g.class);
    return { order: (v < 0 ? 9 : v) * 10 + (c < 0 ? 9 : c), label: (g.vendor || 'Other') + ' \u00b7 ' + (page.gpuTable.CLASS_TEXT[g.class] || g.class || 'other') };
  }
  function gpuOptionText(g) { return g.name + (g.memory_mib ? ' \u2014 ' + U.size(g.memory_mib * 1048576) : ''); }

  // A number field's value: null when empty, else the number as typed (the estimator judges it).
  function numberOrNull(input) {
    var t = input.value.trim();
    return t === '' ? null : Number(t);
  }

  function create(opts) {
    var api = opts.api;
    var store = opts.store;
    var setup = store.setup;
    var catalog = store.catalog;
    var knobControls = opts.knobControls;
    var onChange = opts.onChange;
    var onUnitChange = opts.onUnitChange;
    var el = D.elements({
      form: 'setup', model: 'model', modelSearch: 'model-search', modelSearchStatus: 'model-search-status', modelSummary: 'model-summary',
      weights: 'weights', weightsHint: 'weights-hint', runtime: 'runtime', gpu: 'gpu', gpuSearch: 'gpu-search',
      gpuSearchStatus: 'gpu-search-status', gpuSummary: 'gpu-summary', customDevice: 'custom-device', customMemory: 'custom-memory',
      wiredField: 'wired-field', wiredLimit: 'wired-limit', wiredHint: 'wired-hint', inUse: 'in-use',
      hostField: 'host-field', hostMemory: 'host-memory', hostHint: 'host-hint',
      customBandwidth: 'custom-bandwidth', customUnified: 'custom-unified', gpuCount: 'gpu-count', context: 'context',
      contextMax: 'context-max', contextPresets: 'context-presets', concurrency: 'concurrency', images: 'images', imagesField: 'images-field',
      kvDtype: 'kv-dtype', unitGib: 'unit-gib', unitGb: 'unit-gb', hubGo: 'hub-search-go',
    });
    var modelSearchDelay = D.debouncer();
    var gpuSearchDelay = D.debouncer();

    // ---- pickers ----

    // The model menu grouped by family. ids: the ranked search results, or null for the whole catalog.
    function fillModels(ids) {
      var list;
      if (ids) {
        list = ids.map(function (id) { return catalog.modelsById[id]; }).filter(Boolean);
      } else {
        list = catalog.models.slice().sort(function (a, b) {
          return U.compareNames(familyLabel(a), familyLabel(b), true) ||
            store.params(a).total - store.params(b).total || U.compareNames(a.name, b.name);
        });
      }
      var groups = [];
      var byFamily = {};
      list.forEach(function (m) {
        var label = familyLabel(m);
        if (!byFamily[label]) {
          byFamily[label] = [];
          groups.push(label);
        }
        byFamily[label].push(D.option(m.id, m.name));
      });
      var current = store.model();
      if (ids && current && list.indexOf(current) < 0) {
        // Keep the current model choosable while the search shows others.
        groups.push('Current choice');
        byFamily['Current choice'] = [D.option(setup.model, current.name)];
      }
      D.fill(el.model, groups.map(function (g) { return D.optgroup(g, byFamily[g]); }));
      el.model.value = setup.model;
    }

    // The GPU menu grouped by vendor and class, largest memory first; ids: ranked search results, or null.
    function fillGpus(ids) {
      var list = ids ? ids.map(function (id) { return catalog.gpusById[id]; }).filter(Boolean) : catalog.gpus.slice();
      var groups = {};
      var order = [];
      list.forEach(function (g) {
        var grp = gpuGroup(g);
        if (!groups[grp.label]) {
          groups[grp.label] = { order: ids ? order.length : grp.order, items: [] };
          order.push(grp.label);
        }
        groups[grp.label].items.push(g);
      });
      var labels = order.slice().sort(function (a, b) { return groups[a].order - groups[b].order || U.compareNames(a, b); });
      var nodes = labels.map(function (label) {
        var items = groups[label].items;
        if (!ids) items.sort(function (a, b) { return (b.memory_mib || 0) - (a.memory_mib || 0) || U.compareNames(a.name, b.name); });
        return D.optgroup(label, items.map(function (g) { return D.option(g.id, gpuOptionText(g)); }));
      });
      var extra = [D.option(CUSTOM, 'Custom device (enter its memory)\u2026')];
      var current = store.gpu();
      if (ids && current && list.indexOf(current) < 0) extra.unshift(D.option(setup.gpu, gpuOptionText(current)));
      nodes.push(D.optgroup('Other', extra));
      D.fill(el.gpu, nodes);
      el.gpu.value = setup.gpu;
    }

    function fillRuntimes() {
      D.fill(el.runtime, K.RUNTIMES.map(function (r) { return D.option(r.id, r.name); }));
      el.runtime.value = setup.runtime;
    }

    function fillWeights() {
      var nodes = [D.option('', store.defaultWeightsText())];
      K.weightGroups((store.model() || {}).formats, setup.runtime).forEach(function (g) {
        nodes.push(D.optgroup(g.label, g.items.map(function (f) { return D.option(f, K.formatName(f)); })));
      });
      D.fill(el.weights, nodes);
      el.weights.value = setup.weights;
      showWeightsHint();
    }

    function showWeightsHint() {
      var format = store.format();
      var repos = (store.record(setup.model).checkpoints || []).filter(function (c) { return c.format === format && c.repo; }).map(function (c) { return c.repo; });
      if (repos.length) D.setText(el.weightsHint, 'Published as ' + repos.join(', '));
      else if (K.formatFamily(format) === 'gguf') D.setText(el.weightsHint, 'No published file of this type in the catalog: sized by llama.cpp\u2019s quantizer rules, tensor by tensor.');
      else D.setText(el.weightsHint, 'No published checkpoint in this format in the catalog: sized by the format\u2019s usual layout.');
    }

    function fillKv() {
      D.fill(el.kvDtype, K.kvTypes(setup.runtime).map(function (t) { return D.option(t[0], t[1]); }));
      el.kvDtype.value = setup.kv;
    }

    function fillContextPresets() {
      var max = store.maxContext();
      var chips = CONTEXT_PRESETS.filter(function (c) { return !max || c < max; }).map(function (c) { return [c, U.tokensShort(c)]; });
      if (max) chips.push([max, 'Max ' + U.tokensShort(max)]);
      D.fill(el.contextPresets, chips.map(function (c) {
        var b = D.make('button', 'chip', c[1]);
        b.type = 'button';
        b.setAttribute('data-context', String(c[0]));
        b.setAttribute('aria-pressed', String(setup.context === c[0]));
        b.title = U.integer(c[0]) + ' tokens';
        b.addEventListener('click', function () {
          store.set({ context: c[0] });
          el.context.value = String(c[0]);
          onChange(0);
        });
        return b;
      }));
      D.setText(el.contextMax, max ? 'This model reads up to ' + U.integer(max) + ' tokens.' : '');
    }
    function markContextPreset() {
      el.contextPresets.querySelectorAll('button').forEach(function (b) {
        b.setAttribute('aria-pressed', String(Number(b.getAttribute('data-context')) === setup.context));
      });
    }

    function showModelSummary() {
      var m = store.model();
      if (!m) return D.setText(el.modelSummary, '');
      var d = store.record(setup.model).derived;
      // The counts worked out from the config (the record's), else those read from the model's files.
      var total = (d && d.params_total) || m.params_total || 0;
      var active = d ? (d.params_active !== d.params_total ? d.params_active : 0) : m.params_active || 0;
      var parts = [];
      if (total && active) parts.push(U.params(total) + ' total, ' + U.params(active) + ' active');
      else if (total) parts.push(U.params(total) + ' ' + (m.architecture_class || 'dense'));
      if (m.context_window) parts.push(U.integer(m.context_window) + '-token context');
      if (d && d.kv_heads) parts.push(U.plural(d.kv_heads, 'KV head'));
      if (m.modality && m.modality !== 'text') parts.push(m.modality.replace(/\+/g, ' + '));
      D.setText(el.modelSummary, parts.join(' \u00b7 '));
    }

    function showGpuSummary() {
      if (store.isCustomGpu()) {
        D.setText(el.gpuSummary, 'Enter the memory your driver reports (nvidia-smi, rocm-smi or the system).');
        return;
      }
      var g = store.gpu();
      if (!g) return D.setText(el.gpuSummary, '');
      var parts = [];
      if (g.memory_marketed) parts.push(g.memory_marketed + ' marketed');
      if (g.memory_mib) parts.push(U.size(g.memory_mib * 1048576) + ' ' + (g.unified_memory ? 'unified' : 'reported') + ' (' + U.integer(g.memory_mib) + ' MiB)');
      if (g.bandwidth_gbps) parts.push(U.integer(g.bandwidth_gbps) + ' GB/s');
      if (g.architecture) parts.push(g.architecture);
      D.setText(el.gpuSummary, parts.join(' \u00b7 '));
    }

    function showImagesField() {
      el.imagesField.hidden = !store.takesImages();
      el.images.value = String(setup.images);
    }

    // Memory fields (custom device, system RAM) are in the page's unit; the estimator takes whole MiB.
    function mibInUnit(mib) {
      if (!(mib > 0)) return '';
      return Number((mib * 1048576 / U.unit().bytes).toFixed(2));
    }
    function mibFromField(input) {
      var t = input.value.trim();
      var v = Number(t);
      return t === '' || !isFinite(v) ? null : Math.round(v * U.unit().bytes / 1048576);
    }

    // System RAM: the user's, or (empty) the estimator's default for the machine these devices go in, which the
    // last answer states. A unified-memory device has no separate RAM: its memory is the system's.
    var hostDefaultBytes = 0;
    function unifiedDevice() {
      if (store.isCustomGpu()) return !!setup.customUnified;
      var g = store.gpu();
      return !!g && !!g.unified_memory;
    }
    function showHost() {
      if (document.activeElement !== el.inUse) el.inUse.value = setup.inUseMib ? String(setup.inUseMib) : '';
      var unified = unifiedDevice();
      el.hostField.hidden = unified;
      if (unified) return;
      el.hostMemory.value = String(mibInUnit(setup.hostMemMib));
      el.hostMemory.placeholder = hostDefaultBytes > 0 ? U.decimal(hostDefaultBytes / U.unit().bytes, 0) : '';
      D.setText(el.hostHint, setup.hostMemMib ? 'Your machine\u2019s RAM; empty for the estimate\u2019s default.'
        : hostDefaultBytes > 0 ? 'Empty: ' + U.size(hostDefaultBytes) + ', a typical machine for these GPUs.' : '');
    }
    // The answer's system RAM (response.host): the default shown while the field is empty.
    function showHostDefault(host) {
      hostDefaultBytes = host && !host.unified && !setup.hostMemMib ? host.capacity_bytes : hostDefaultBytes;
      showHost();
    }

    function showUnitLabels() {
      document.querySelectorAll('[data-unit-label]').forEach(function (n) { D.setText(n, U.unit().name); });
    }

    // The largest values the estimator takes for the workload fields (its schema's limits).
    function setLimits() {
      var limits = K.limits();
      [[el.gpuCount, limits.max_gpus], [el.context, limits.max_context], [el.concurrency, limits.max_concurrency],
        [el.images, limits.max_images]].forEach(function (pair) {
        if (pair[1] > 0) pair[0].max = String(pair[1]);
      });
    }

    // ---- the whole form from the store ----

    function fill() {
      setLimits();
      fillRuntimes();
      fillModels(null);
      fillGpus(null);
      fillWeights();
      fillKv();
      knobControls.fill();
      fillContextPresets();
      el.gpuCount.value = String(setup.gpuCount);
      el.context.value = String(setup.context);
      el.concurrency.value = String(setup.concurrency);
      showImagesField();
      el.customDevice.hidden = !store.isCustomGpu();
      showWired();
      showHost();
      el.customMemory.value = String(mibInUnit(setup.customMemMib));
      el.customBandwidth.value = setup.customBandwidth === '' ? '' : String(setup.customBandwidth);
      el.customUnified.checked = setup.customUnified;
      el.unitGb.checked = setup.unit === 'gb';
      el.unitGib.checked = setup.unit !== 'gb';
      showModelSummary();
      showGpuSummary();
      showUnitLabels();
      el.model.disabled = false;
      el.runtime.disabled = false;
      el.gpu.disabled = false;
    }

    // The display unit changed: sizes written in the form follow.
    function showUnits() {
      showUnitLabels();
      el.customMemory.value = String(mibInUnit(setup.customMemMib));
      showHost();
      var selected = el.gpu.value;
      el.gpu.querySelectorAll('option').forEach(function (o) {
        var g = catalog.gpusById[o.value];
        if (g) o.textContent = gpuOptionText(g);
      });
      el.gpu.value = selected;
      showGpuSummary();
    }

    // Marks the control of the field the estimator rejected ('' clears the mark).
    function markInvalid(field) {
      document.querySelectorAll('[aria-invalid="true"]').forEach(function (n) { n.removeAttribute('aria-invalid'); });
      if (!field) return;
      var target = null;
      if (field.indexOf('engine.') === 0) target = document.querySelector('[data-knob="' + field.slice(7).replace(/[^a-z_]/g, '') + '"]');
      else if (field.indexOf('device') === 0) target = el.customMemory;
      else if (field === 'host.memory_mib') target = el.hostMemory;
      else if (field === 'host.gpu_wired_limit_mib') target = el.wiredLimit;
      else if (field.indexOf('gpu_memory_in_use_mib') === 0) target = el.inUse;
      else target = { model: el.model, weights: el.weights, runtime: el.runtime, gpu: el.gpu, gpu_count: el.gpuCount, context: el.context, concurrency: el.concurrency, images: el.images, kv_cache_dtype: el.kvDtype }[field];
      if (target) target.setAttribute('aria-invalid', 'true');
    }

    // ---- changes ----

    function modelChanged() {
      showImagesField();
      if (store.followDevice()) runtimeFollowed();  // on a Mac: MLX when the model has an MLX conversion
      fillWeights();
      knobControls.fill();
      fillContextPresets();
      showModelSummary();
      onChange(0);
    }
    // The runtime followed the device (or the model): its menus follow.
    function runtimeFollowed() {
      el.runtime.value = setup.runtime;
      fillKv();
      knobControls.fill();
    }
    // keepRuntime: a GPU picked from the GPU table, which was computed for the runtime on screen.
    // Apple chips: the GPU's wired-memory limit (macOS's default from the estimator's GPU list, or the user's).
    function showWired() {
      var g = store.gpu();
      var apple = !!g && g.default_wired_limit_mib !== undefined;
      el.wiredField.hidden = !apple;
      if (!apple) return;
      el.wiredLimit.value = setup.wiredMib ? String(setup.wiredMib) : '';
      el.wiredLimit.placeholder = U.integer(g.default_wired_limit_mib);
      el.wiredLimit.max = String(g.memory_mib);
      D.setText(el.wiredHint, 'Empty: macOS\u2019s default of ' + U.integer(g.default_wired_limit_mib) + ' MiB of ' + U.integer(g.memory_mib) +
        ' MiB; sudo sysctl iogpu.wired_limit_mb raises it.');
    }
    function gpuChanged(keepRuntime) {
      el.customDevice.hidden = !store.isCustomGpu();
      var g = store.gpu();
      if (setup.wiredMib && !(g && g.default_wired_limit_mib !== undefined)) store.set({ wiredMib: null });
      showWired();
      // Another machine: its own RAM default; none on a unified-memory device.
      hostDefaultBytes = 0;
      if (setup.hostMemMib && unifiedDevice()) store.set({ hostMemMib: null });
      showHost();
      if (!keepRuntime && store.followDevice()) runtimeFollowed();
      fillWeights();  // the default checkpoint may depend on the device
      showGpuSummary();
      onChange(0);
    }

    // A GPU picked elsewhere (the GPU table): the search is cleared and the menu shows it.
    function pickGpu(id) {
      store.set({ gpu: id });
      el.gpuSearch.value = '';
      D.setText(el.gpuSearchStatus, '');
      fillGpus(null);
      gpuChanged(true);
      el.gpu.focus();
    }
    // A checkpoint picked elsewhere (the quantization table).
    function pickWeights(id) {
      store.set({ weights: id });
      el.weights.value = id;
      showWeightsHint();
      onChange(0);
    }

    // Text shaped like a Hub repository (ORG/NAME) offers to read it from the Hub (nothing is asked before).
    function offerHub(q) {
      var ref = page.hub.parseRepo(q);
      el.hubGo.hidden = !ref || !opts.onHubRepo;
      if (ref) D.setText(el.hubGo, 'Read ' + ref.repo + ' from the Hugging Face Hub');
      return ref;
    }

    function searchModels() {
      var q = el.modelSearch.value.trim();
      offerHub(q);
      if (!q) {
        fillModels(null);
        D.setText(el.modelSearchStatus, '');
        return;
      }
      var ids = api.search(q, 'models');
      if (!ids.length) {
        D.setText(el.modelSearchStatus, 'No model matches \u201c' + q + '\u201d.');
        return;
      }
      var changed = ids.indexOf(setup.model) < 0;
      if (changed) store.set({ model: ids[0] });
      fillModels(ids);
      D.setText(el.modelSearchStatus, U.plural(ids.length, 'match', 'matches') + (changed ? '; showing the best one' : ''));
      if (changed) modelChanged();
    }

    function searchGpus() {
      var q = el.gpuSearch.value.trim();
      if (!q) {
        fillGpus(null);
        D.setText(el.gpuSearchStatus, '');
        return;
      }
      var ids = api.search(q, 'gpus');
      if (!ids.length) {
        D.setText(el.gpuSearchStatus, 'No GPU matches \u201c' + q + '\u201d.');
        return;
      }
      var changed = ids.indexOf(setup.gpu) < 0;
      if (changed) store.set({ gpu: ids[0] });
      fillGpus(ids);
      D.setText(el.gpuSearchStatus, U.plural(ids.length, 'match', 'matches') + (changed ? '; showing the best one' : ''));
      if (changed) gpuChanged();
    }

    function numberField(input, field, empty) {
      input.addEventListener('input', function () {
        var change = {};
        var v = numberOrNull(input);
        change[field] = v === null && empty !== undefined ? empty : v;
        store.set(change);
        onChange(TYPING_MS);
      });
    }

    // Enter runs the search at once and moves to the menu; Escape clears the box.
    function searchKeys(box, search, delay, menu) {
      box.addEventListener('keydown', function (e) {
        if (e.key === 'Enter') {
          e.preventDefault();
          delay.cancel();
          search();
          menu.focus();
        } else if (e.key === 'Escape' && box.value) {
          e.preventDefault();
          box.value = '';
          search();
        }
      });
    }

    function wire() {
      el.form.addEventListener('submit', function (e) { e.preventDefault(); });
      el.model.addEventListener('change', function () {
        store.set({ model: el.model.value });
        modelChanged();
      });
      el.runtime.addEventListener('change', function () {
        store.set({ runtime: el.runtime.value, runtimeChosen: true });
        fillWeights();
        fillKv();
        knobControls.fill();
        onChange(0);
      });
      el.weights.addEventListener('change', function () {
        store.set({ weights: el.weights.value });
        showWeightsHint();
        onChange(0);
      });
      el.gpu.addEventListener('change', function () {
        store.set({ gpu: el.gpu.value });
        gpuChanged();
      });
      el.kvDtype.addEventListener('change', function () {
        store.set({ kv: el.kvDtype.value });
        onChange(0);
      });
      numberField(el.gpuCount, 'gpuCount');
      numberField(el.context, 'context');
      numberField(el.concurrency, 'concurrency');
      numberField(el.images, 'images', 0);
      el.customMemory.addEventListener('input', function () {
        store.set({ customMemMib: mibFromField(el.customMemory) });
        onChange(TYPING_MS);
      });
      el.hostMemory.addEventListener('input', function () {
        store.set({ hostMemMib: mibFromField(el.hostMemory) });
        onChange(TYPING_MS);
      });
      el.inUse.addEventListener('input', function () {
        var t = el.inUse.value.trim();
        store.set({ inUseMib: t === '' || !isFinite(Number(t)) || Number(t) === 0 ? null : Number(t) });
        onChange(TYPING_MS);
      });
      el.wiredLimit.addEventListener('input', function () {
        var t = el.wiredLimit.value.trim();
        store.set({ wiredMib: t === '' || !isFinite(Number(t)) ? null : Number(t) });
        onChange(TYPING_MS);
      });
      el.customBandwidth.addEventListener('input', function () {
        var t = el.customBandwidth.value.trim();
        store.set({ customBandwidth: t === '' ? '' : Number(t) });
        onChange(TYPING_MS);
      });
      el.customUnified.addEventListener('change', function () {
        store.set({ customUnified: el.customUnified.checked });
        if (setup.hostMemMib && setup.customUnified) store.set({ hostMemMib: null });
        showHost();
        onChange(0);
      });
      [el.unitGib, el.unitGb].forEach(function (radio) {
        radio.addEventListener('change', function () {
          if (!radio.checked) return;
          store.set({ unit: radio.value });
          onUnitChange();
          onChange(0);  // the breakdown's formulas are written in the chosen unit by the estimator
        });
      });
      el.modelSearch.addEventListener('input', function () { modelSearchDelay.run(SEARCH_MS, searchModels); });
      el.gpuSearch.addEventListener('input', function () { gpuSearchDelay.run(SEARCH_MS, searchGpus); });
      el.modelSearch.addEventListener('keydown', function (e) {
        if (e.key !== 'Enter') return;
        var ref = offerHub(el.modelSearch.value);
        if (!ref || !opts.onHubRepo) return;
        e.stopImmediatePropagation();
        e.preventDefault();
        modelSearchDelay.cancel();
        opts.onHubRepo(ref);
      });
      el.hubGo.addEventListener('click', function () {
        var ref = page.hub.parseRepo(el.modelSearch.value);
        if (ref) opts.onHubRepo(ref);
      });
      searchKeys(el.modelSearch, searchModels, modelSearchDelay, el.model);
      searchKeys(el.gpuSearch, searchGpus, gpuSearchDelay, el.gpu);
    }

    return {
      fill: fill,
      wire: wire,
      showUnits: showUnits,
      markInvalid: markInvalid,
      showHostDefault: showHostDefault,
      markContextPreset: markContextPreset,
      pickGpu: pickGpu,
      pickWeights: pickWeights,
    };
  }

  page.form = { create: create };
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
