// The calculator page: fills the form from the module's catalog, asks the module on every change and shows the
// answer. Nothing about models or engines is computed here (design.md §1): verdict, breakdown, limits, the GPU
// table (one compare call) and the chart points (one estimate per context length) all come from the estimator.
// Text that comes from data or from the address bar is only ever set with textContent.
//
// For tests and tools: window.__fitmygpuRequest is the request behind the numbers on screen (also as JSON in
// #result[data-request]); <html data-busy> is present while an update is pending; every finished update
// dispatches "fitmygpu:updated" on document with its timings.
(function (page) {
  'use strict';

  var U = page.units;
  var K = page.knobs;
  var S = page.urlState;

  var DEFAULTS = { model: 'llama-3.1-8b', runtime: 'vllm', gpu: 'rtx-4090', gpu_count: 1, context: 4096, concurrency: 1, images: 0, kv: 'auto', weights: '', unit: 'gib' };
  var CUSTOM = 'custom';
  var DEFAULT_CUSTOM_MIB = 24576;
  var CONTEXT_PRESETS = [2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 1048576];
  var DEBOUNCE_MS = 150;        // typing in number fields
  var SEARCH_DEBOUNCE_MS = 120;
  var MAX_CHART_POINTS = 10;
  var MAX_BARS = 8;             // device bars drawn; identical tensor-parallel ranks beyond that are summarised
  var VERDICT_TEXT = { fits: 'Fits', tight: 'Tight fit', does_not_fit: 'Does not fit' };
  var COMPONENTS = [            // bar and breakdown order: the KV cache last, so "required" falls inside it
    { key: 'weights', name: 'Weights' },
    { key: 'state', name: 'Recurrent state' },
    { key: 'activations', name: 'Activations' },
    { key: 'overhead', name: 'Overhead' },
    { key: 'kv_cache', name: 'KV cache' },
  ];
  var COMPONENT_NAME = {};
  COMPONENTS.forEach(function (c) { COMPONENT_NAME[c.key] = c.name; });
  var VENDOR_ORDER = ['NVIDIA', 'AMD', 'Intel', 'Apple'];
  var CLASS_ORDER = ['datacenter', 'workstation', 'consumer', 'integrated', 'apple'];

  var api = null;
  var el = {};
  var catalog = { models: [], modelsById: {}, gpus: [], gpusById: {}, records: {} };
  var state = {
    model: DEFAULTS.model, weights: '', runtime: DEFAULTS.runtime, gpu: DEFAULTS.gpu, gpuCount: 1,
    customMemMib: DEFAULT_CUSTOM_MIB, customBandwidth: '', customUnified: false,
    context: DEFAULTS.context, concurrency: 1, images: 0, kv: 'auto', engine: {}, unit: 'gib',
  };
  var last = { response: null, request: null, compare: null, chart: null, quant: null };
  var cache = { compareKey: '', compare: null, chartKey: '', chart: null, quantKey: '', quant: null };
  var generation = 0;
  var timers = {};
  var table = null;

  function $(id) { return document.getElementById(id); }
  function setText(node, text) { node.textContent = text; }
  function make(tag, className, text) {
    var n = document.createElement(tag);
    if (className) n.className = className;
    if (text !== undefined) n.textContent = text;
    return n;
  }
  function option(value, text) {
    var o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    return o;
  }
  function optgroup(label, options) {
    var g = document.createElement('optgroup');
    g.label = label;
    options.forEach(function (o) { g.appendChild(o); });
    return g;
  }
  function debounce(name, ms, fn) {
    clearTimeout(timers[name]);
    timers[name] = setTimeout(fn, ms);
  }
  function plural(n, one, many) { return U.integer(n) + ' ' + (Math.round(n) === 1 ? one : many || one + 's'); }

  // ---------------------------------------------------------------------------------------------------------
  // Catalog: menus
  // ---------------------------------------------------------------------------------------------------------

  function loadCatalog() {
    catalog.models = api.models();
    catalog.models.forEach(function (m) { catalog.modelsById[m.id] = m; });
    catalog.gpus = api.gpus();
    catalog.gpus.forEach(function (g) { catalog.gpusById[g.id] = g; });
  }

  function record(id) {
    if (!catalog.records[id]) {
      try {
        catalog.records[id] = api.model(id);
      } catch (e) {
        catalog.records[id] = { derived: null };
      }
    }
    return catalog.records[id];
  }

  // A catalog model from an id, alias or Hugging Face repo name, as the estimator resolves it.
  function resolveModel(text) {
    if (catalog.modelsById[text]) return text;
    try {
      var r = api.model(text);
      return catalog.modelsById[r.id] ? r.id : null;
    } catch (e) {
      return null;
    }
  }
  function resolveGpu(text) {
    if (text === CUSTOM || catalog.gpusById[text]) return text;
    var t = String(text).toLowerCase();
    for (var i = 0; i < catalog.gpus.length; i++) {
      var g = catalog.gpus[i];
      if (g.id.toLowerCase() === t || (g.aliases || []).some(function (a) { return String(a).toLowerCase() === t; })) return g.id;
    }
    return null;
  }

  function familyLabel(m) { return (m.family || m.name) + (m.company ? ' \u2014 ' + m.company : ''); }

  // The model menu grouped by family. ids: the ranked search results, or null for the whole catalog.
  function fillModels(ids) {
    var list;
    if (ids) {
      list = ids.map(function (id) { return catalog.modelsById[id]; }).filter(Boolean);
    } else {
      list = catalog.models.slice().sort(function (a, b) {
        return familyLabel(a).localeCompare(familyLabel(b), 'en', { numeric: true, sensitivity: 'base' }) ||
          (a.params_total || 0) - (b.params_total || 0) || a.name.localeCompare(b.name);
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
      byFamily[label].push(option(m.id, m.name));
    });
    if (ids && list.indexOf(catalog.modelsById[state.model]) < 0 && catalog.modelsById[state.model]) {
      // Keep the current model choosable while the search shows others.
      groups.push('Current choice');
      byFamily['Current choice'] = [option(state.model, catalog.modelsById[state.model].name)];
    }
    el.model.replaceChildren.apply(el.model, groups.map(function (g) { return optgroup(g, byFamily[g]); }));
    el.model.value = state.model;
  }

  function gpuGroup(g) {
    if (g.class === 'apple' || g.vendor === 'Apple') return { order: 40, label: 'Apple silicon (unified memory)' };
    var v = VENDOR_ORDER.indexOf(g.vendor);
    var c = CLASS_ORDER.indexOf(g.class);
    return { order: (v < 0 ? 9 : v) * 10 + (c < 0 ? 9 : c), label: (g.vendor || 'Other') + ' \u00b7 ' + (page.gpuTable.CLASS_TEXT[g.class] || g.class || 'other') };
  }
  function gpuOptionText(g) { return g.name + (g.memory_mib ? ' \u2014 ' + U.size(g.memory_mib * 1048576) : ''); }

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
    var labels = order.slice().sort(function (a, b) { return groups[a].order - groups[b].order || a.localeCompare(b); });
    var nodes = labels.map(function (label) {
      var items = groups[label].items;
      if (!ids) items.sort(function (a, b) { return (b.memory_mib || 0) - (a.memory_mib || 0) || a.name.localeCompare(b.name, 'en', { numeric: true }); });
      return optgroup(label, items.map(function (g) { return option(g.id, gpuOptionText(g)); }));
    });
    var extra = [option(CUSTOM, 'Custom device (enter its memory)\u2026')];
    if (ids && state.gpu !== CUSTOM && list.indexOf(catalog.gpusById[state.gpu]) < 0 && catalog.gpusById[state.gpu]) {
      extra.unshift(option(state.gpu, gpuOptionText(catalog.gpusById[state.gpu])));
    }
    nodes.push(optgroup('Other', extra));
    el.gpu.replaceChildren.apply(el.gpu, nodes);
    el.gpu.value = state.gpu;
  }

  function officialFormat(id) {
    var checkpoints = record(id).checkpoints || [];
    for (var i = 0; i < checkpoints.length; i++) if (checkpoints[i].official && checkpoints[i].format) return checkpoints[i].format;
    var m = catalog.modelsById[id];
    return m && m.formats && m.formats[0] ? m.formats[0] : '';
  }

  function defaultWeightsText() {
    if (K.isGgufRuntime(state.runtime)) return 'Default: GGUF Q4_K_M';
    if (state.runtime === 'mlx') return 'Default: MLX 4-bit';
    var f = officialFormat(state.model);
    return 'Official checkpoint' + (f ? ' (' + K.formatName(f) + ')' : '');
  }

  function weightChoices() {
    var m = catalog.modelsById[state.model] || {};
    var ids = [''];
    K.weightGroups(m.formats, state.runtime).forEach(function (g) { ids = ids.concat(g.items); });
    return ids;
  }

  function fillWeights() {
    var m = catalog.modelsById[state.model] || {};
    var nodes = [option('', defaultWeightsText())];
    K.weightGroups(m.formats, state.runtime).forEach(function (g) {
      nodes.push(optgroup(g.label, g.items.map(function (f) { return option(f, K.formatName(f)); })));
    });
    el.weights.replaceChildren.apply(el.weights, nodes);
    if (weightChoices().indexOf(state.weights) < 0) state.weights = '';
    el.weights.value = state.weights;
    showWeightsHint();
  }

  function showWeightsHint() {
    var format = state.weights || (K.isGgufRuntime(state.runtime) ? 'gguf:Q4_K_M' : state.runtime === 'mlx' ? 'mlx-4bit' : officialFormat(state.model));
    var repos = (record(state.model).checkpoints || []).filter(function (c) { return c.format === format && c.repo; }).map(function (c) { return c.repo; });
    if (repos.length) setText(el.weightsHint, 'Published as ' + repos.join(', '));
    else if (format.indexOf('gguf:') === 0) setText(el.weightsHint, 'No published file of this type in the catalog: sized by llama.cpp\u2019s quantizer rules, tensor by tensor.');
    else setText(el.weightsHint, 'No published checkpoint in this format in the catalog: sized by the format\u2019s usual layout.');
  }

  function fillKv() {
    var types = K.kvTypes(state.runtime);
    el.kvDtype.replaceChildren.apply(el.kvDtype, types.map(function (t) { return option(t[0], t[1]); }));
    if (!types.some(function (t) { return t[0] === state.kv; })) state.kv = 'auto';
    el.kvDtype.value = state.kv;
  }

  function modelMaxContext() {
    var m = catalog.modelsById[state.model] || {};
    return m.context_window || 0;
  }

  function fillContextPresets() {
    var max = modelMaxContext();
    var chips = CONTEXT_PRESETS.filter(function (c) { return !max || c < max; }).map(function (c) { return [c, U.tokensShort(c)]; });
    if (max) chips.push([max, 'Max ' + U.tokensShort(max)]);
    el.contextPresets.replaceChildren.apply(el.contextPresets, chips.map(function (c) {
      var b = make('button', 'chip', c[1]);
      b.type = 'button';
      b.setAttribute('data-context', String(c[0]));
      b.setAttribute('aria-pressed', String(state.context === c[0]));
      b.title = U.integer(c[0]) + ' tokens';
      b.addEventListener('click', function () {
        state.context = c[0];
        el.context.value = String(c[0]);
        schedule(0);
      });
      return b;
    }));
    setText(el.contextMax, max ? 'This model reads up to ' + U.integer(max) + ' tokens.' : '');
  }
  function markContextPreset() {
    el.contextPresets.querySelectorAll('button').forEach(function (b) {
      b.setAttribute('aria-pressed', String(Number(b.getAttribute('data-context')) === state.context));
    });
  }

  function showModelSummary() {
    var m = catalog.modelsById[state.model];
    var d = record(state.model).derived;
    if (!m) return setText(el.modelSummary, '');
    var parts = [];
    if (m.params_active) parts.push(U.params(m.params_total) + ' total, ' + U.params(m.params_active) + ' active');
    else if (m.params_total) parts.push(U.params(m.params_total) + ' ' + (m.architecture_class || 'dense'));
    if (m.context_window) parts.push(U.integer(m.context_window) + '-token context');
    if (d && d.kv_heads) parts.push(plural(d.kv_heads, 'KV head'));
    if (m.modality && m.modality !== 'text') parts.push(m.modality.replace(/\+/g, ' + '));
    setText(el.modelSummary, parts.join(' \u00b7 '));
  }

  function showGpuSummary() {
    if (state.gpu === CUSTOM) {
      setText(el.gpuSummary, 'Enter the memory your driver reports (nvidia-smi, rocm-smi or the system).');
      return;
    }
    var g = catalog.gpusById[state.gpu];
    if (!g) return setText(el.gpuSummary, '');
    var parts = [];
    if (g.memory_marketed) parts.push(g.memory_marketed + ' marketed');
    if (g.memory_mib) parts.push(U.size(g.memory_mib * 1048576) + ' ' + (g.unified_memory ? 'unified' : 'reported') + ' (' + U.integer(g.memory_mib) + ' MiB)');
    if (g.bandwidth_gbps) parts.push(U.integer(g.bandwidth_gbps) + ' GB/s');
    if (g.architecture) parts.push(g.architecture);
    setText(el.gpuSummary, parts.join(' \u00b7 '));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Engine knobs
  // ---------------------------------------------------------------------------------------------------------

  function knobInput(name) {
    var spec = K.KNOBS[name];
    var id = 'knob-' + name.replace(/_/g, '-');
    // Numbers sit two to a row; selects, text and long default texts take the whole row.
    var narrow = (spec.type === 'int' || spec.type === 'fraction') && K.knobPlaceholder(name, state.runtime).length <= 10;
    var wrap = make('div', 'field' + (narrow ? ' field-small' : ''));
    var label = make('label');
    label.htmlFor = id;
    label.appendChild(document.createTextNode(K.knobLabel(name, state.runtime) + ' '));
    label.appendChild(make('code', 'knob-name', name));
    wrap.appendChild(label);
    var input;
    var value = state.engine[name];
    if (spec.type === 'draft') {
      input = document.createElement('select');
      input.appendChild(option('', 'none'));
      input.appendChild(option('mtp', 'the model\u2019s MTP layers'));
      draftCandidates().forEach(function (m) { input.appendChild(option(m.id, 'draft: ' + m.name)); });
      if (value !== undefined && !input.querySelector('option[value="' + String(value).replace(/[^a-z0-9._-]/gi, '') + '"]')) {
        input.appendChild(option(String(value), 'draft: ' + String(value)));
      }
      input.value = value === undefined ? '' : String(value);
    } else if (spec.type === 'bool' || spec.type === 'flash') {
      input = document.createElement('select');
      input.appendChild(option('', 'default (' + defaultText(name, spec) + ')'));
      if (spec.type === 'flash') input.appendChild(option('auto', 'auto'));
      input.appendChild(option('true', 'on'));
      input.appendChild(option('false', 'off'));
      input.value = value === undefined ? '' : String(value);
    } else {
      input = document.createElement('input');
      input.type = spec.type === 'text' || spec.type === 'list' ? 'text' : 'number';
      if (spec.type !== 'text' && spec.type !== 'list') {
        input.inputMode = spec.type === 'fraction' ? 'decimal' : 'numeric';
        if (spec.min !== undefined) input.min = String(spec.min);
        if (spec.max !== undefined) input.max = String(spec.max);
        input.step = String(spec.step || 'any');
      } else {
        input.spellcheck = false;
        input.autocomplete = 'off';
      }
      input.placeholder = defaultText(name, spec);
      input.value = value === undefined ? '' : String(value);
    }
    input.id = id;
    input.setAttribute('data-knob', name);
    input.setAttribute('data-testid', id);
    var help = make('p', 'hint', spec.help);
    help.id = id + '-help';
    input.setAttribute('aria-describedby', help.id);
    wrap.appendChild(input);
    wrap.appendChild(help);
    input.addEventListener(input.tagName === 'SELECT' ? 'change' : 'input', function () {
      readKnob(input);
      schedule(input.tagName === 'SELECT' ? 0 : DEBOUNCE_MS);
    });
    return wrap;
  }

  // Draft models offered for speculative decoding: smaller models of the same maker (a draft needs the target's
  // tokenizer; the estimator warns when the vocabularies differ).
  function draftCandidates() {
    var target = catalog.modelsById[state.model];
    if (!target) return [];
    return catalog.models.filter(function (m) {
      return m.id !== target.id && m.company === target.company && (m.params_total || 0) < (target.params_total || 0) * 0.5;
    }).sort(function (a, b) { return (a.params_total || 0) - (b.params_total || 0); });
  }

  function readKnob(input) {
    var name = input.getAttribute('data-knob');
    var spec = K.KNOBS[name];
    var raw = input.value.trim();
    if (raw === '') {
      delete state.engine[name];
    } else if (spec.type === 'bool') {
      state.engine[name] = raw === 'true';
    } else if (spec.type === 'flash') {
      state.engine[name] = raw === 'auto' ? 'auto' : raw === 'true';
    } else if (spec.type === 'text' || spec.type === 'draft') {
      state.engine[name] = raw;
    } else if (spec.type === 'list') {
      // Passed on as numbers; the estimator names the entry that is not a valid proportion.
      state.engine[name] = raw.split(/[\s,]+/).filter(function (t) { return t !== ''; }).map(Number);
    } else {
      // Passed on as typed: the estimator says what is wrong with 1.5 layers or a utilization of 2.
      state.engine[name] = Number(raw);
    }
  }

  // The defaults the estimator applies to unset knobs, resolved for the chosen runtime and GPUs (vLLM's batch
  // limits depend on the GPU's memory). They come from the core, so the placeholders never disagree with it.
  var defaultsCache = { key: null, engine: {} };
  function resolvedDefaults() {
    if (!api || !api.defaults) return {};
    var req = request();
    delete req.engine;
    var key = JSON.stringify([req.runtime, req.gpu, req.device, req.gpu_count, req.model]);
    if (key === defaultsCache.key) return defaultsCache.engine;
    var engine = {};
    try {
      engine = api.defaults(req).engine || {};
    } catch (e) {
      engine = {};  // an invalid request: the estimate shows the error; keep the descriptive placeholders
    }
    defaultsCache = { key: key, engine: engine };
    return engine;
  }
  function defaultText(name, spec) {
    var d = resolvedDefaults()[name];
    if (d === undefined || d === null) return spec.type === 'bool' || spec.type === 'flash' ? spec.placeholder : K.knobPlaceholder(name, state.runtime);
    if (typeof d === 'boolean') return d ? 'on' : 'off';
    if (name === 'n_gpu_layers' && d === -1) return 'all';
    return String(d);
  }
  function refreshKnobDefaults() {
    document.querySelectorAll('[data-knob]').forEach(function (input) {
      var name = input.getAttribute('data-knob');
      var spec = K.KNOBS[name];
      if (!spec) return;
      if (input.tagName === 'SELECT' && (spec.type === 'bool' || spec.type === 'flash')) {
        var first = input.querySelector('option[value=""]');
        if (first) first.textContent = 'default (' + defaultText(name, spec) + ')';
      } else if (input.tagName === 'INPUT') {
        input.placeholder = defaultText(name, spec);
      }
    });
  }

  function fillKnobs() {
    var shown = K.knobsFor(state.runtime, catalog.modelsById[state.model]);
    el.mainKnobs.replaceChildren.apply(el.mainKnobs, shown.main.map(knobInput));
    el.advancedKnobs.replaceChildren.apply(el.advancedKnobs, shown.advanced.map(knobInput));
    var runtime = K.RUNTIMES.filter(function (r) { return r.id === state.runtime; })[0];
    showKnobCount(shown);
    el.advanced.hidden = shown.advanced.length === 0;
    return runtime;
  }
  function activeKnobs() {
    var shown = K.knobsFor(state.runtime, catalog.modelsById[state.model]);
    return shown.main.concat(shown.advanced);
  }
  function showKnobCount(shown) {
    var runtime = K.RUNTIMES.filter(function (r) { return r.id === state.runtime; })[0];
    var changed = shown.advanced.filter(function (n) { return state.engine[n] !== undefined; }).length;
    setText(el.advancedEngine, '\u2014 ' + (runtime ? runtime.name : state.runtime) + (changed ? ' (' + changed + ' changed)' : ''));
  }

  // ---------------------------------------------------------------------------------------------------------
  // State ⇄ form, request, URL
  // ---------------------------------------------------------------------------------------------------------

  function customMemoryInUnit() {
    if (!(state.customMemMib > 0)) return '';
    var bytes = state.customMemMib * 1048576;
    return Number((bytes / U.unit().bytes).toFixed(2));
  }

  function writeForm() {
    el.runtime.value = state.runtime;
    fillModels(null);
    fillGpus(null);
    fillWeights();
    fillKv();
    fillKnobs();
    fillContextPresets();
    el.gpuCount.value = String(state.gpuCount);
    el.context.value = String(state.context);
    el.concurrency.value = String(state.concurrency);
    showImagesField();
    el.customDevice.hidden = state.gpu !== CUSTOM;
    el.customMemory.value = String(customMemoryInUnit());
    el.customBandwidth.value = state.customBandwidth === '' ? '' : String(state.customBandwidth);
    el.customUnified.checked = state.customUnified;
    el.unitGb.checked = state.unit === 'gb';
    el.unitGib.checked = state.unit !== 'gb';
    showModelSummary();
    showGpuSummary();
    showUnitLabels();
  }

  function wholeOrRaw(input) {
    var t = input.value.trim();
    return t === '' ? null : Number(t);
  }

  function request() {
    var req = { model: state.model, runtime: state.runtime };
    if (state.weights) req.weights = state.weights;
    if (state.gpu === CUSTOM) {
      req.device = { name: 'Custom device', memory_mib: state.customMemMib };
      if (state.customBandwidth !== '' && state.customBandwidth !== null) req.device.bandwidth_gbps = state.customBandwidth;
      if (state.customUnified) req.device.unified_memory = true;
    } else {
      req.gpu = state.gpu;
    }
    req.gpu_count = state.gpuCount;
    req.context = state.context;
    req.concurrency = state.concurrency;
    if (state.images > 0 && takesImages()) req.images = state.images;
    req.kv_cache_dtype = state.kv;
    var engine = {};
    activeKnobs().forEach(function (name) {
      if (state.engine[name] !== undefined) engine[name] = state.engine[name];
    });
    if (Object.keys(engine).length) req.engine = engine;
    // Byte amounts inside the breakdown's formulas follow the page's unit.
    if (state.unit === 'gb') req.units = 'decimal';
    return req;
  }

  function query() {
    var pairs = [['model', state.model]];
    if (state.weights) pairs.push(['weights', state.weights]);
    pairs.push(['runtime', state.runtime], ['gpu', state.gpu]);
    if (state.gpu === CUSTOM) {
      pairs.push(['memory_mib', state.customMemMib], ['bandwidth_gbps', state.customBandwidth]);
      if (state.customUnified) pairs.push(['unified_memory', '1']);
    }
    pairs.push(['gpu_count', state.gpuCount], ['context', state.context], ['concurrency', state.concurrency]);
    if (state.images > 0 && takesImages()) pairs.push(['images', state.images]);
    if (state.kv !== 'auto') pairs.push(['kv_cache_dtype', state.kv]);
    activeKnobs().forEach(function (name) {
      if (state.engine[name] !== undefined) pairs.push([name, state.engine[name]]);
    });
    if (state.unit !== 'gib') pairs.push(['unit', state.unit]);
    return S.serialize(pairs.map(function (p) { return [p[0], p[1] === null || (typeof p[1] === 'number' && !isFinite(p[1])) ? '' : p[1]]; }));
  }

  // Reads the address bar into the state. Every value is checked; what is wrong is reported and replaced by the
  // default, never trusted. Returns the notices (plain strings).
  function readUrl() {
    var notices = [];
    var parsed = S.parse(location.search, Object.keys(K.KNOBS));
    var f = parsed.fields;
    var q = S.quote;
    if (f.model !== undefined) {
      var model = resolveModel(f.model);
      if (model) state.model = model;
      else notices.push('The link asks for the model ' + q(f.model) + ', which is not in the catalog; showing ' + catalog.modelsById[state.model].name + ' instead.');
    }
    if (f.runtime !== undefined) {
      var runtime = K.RUNTIMES.filter(function (r) { return r.id === f.runtime.toLowerCase(); })[0];
      if (runtime) state.runtime = runtime.id;
      else notices.push('Unknown runtime ' + q(f.runtime) + '; using vLLM.');
    }
    if (f.gpu !== undefined) {
      var gpu = resolveGpu(f.gpu);
      if (gpu) state.gpu = gpu;
      else notices.push('The link asks for the GPU ' + q(f.gpu) + ', which is not in the catalog; showing ' + catalog.gpusById[state.gpu].name + ' instead.');
    }
    if (state.gpu === CUSTOM) {
      var mib = f.memory_mib === undefined ? null : S.wholeNumber(f.memory_mib, 1, 16777216);
      if (mib) state.customMemMib = mib;
      else notices.push('The custom device needs its memory in MiB (memory_mib' + (f.memory_mib === undefined ? '' : ' was ' + q(f.memory_mib)) + '); using ' + U.integer(DEFAULT_CUSTOM_MIB) + ' MiB.');
      if (f.bandwidth_gbps !== undefined) {
        var bw = S.decimalNumber(f.bandwidth_gbps, 0, 1e6);
        if (bw !== null) state.customBandwidth = bw;
        else notices.push('Ignored the bandwidth ' + q(f.bandwidth_gbps) + ': not a number of GB/s.');
      }
      if (f.unified_memory !== undefined) state.customUnified = S.flag(f.unified_memory) === true;
    }
    var ints = [['gpu_count', 'gpuCount', 1, 1024, 'number of GPUs'], ['context', 'context', 1, 16777216, 'context length'], ['concurrency', 'concurrency', 1, 65536, 'concurrency'],
      ['images', 'images', 0, 4096, 'number of images per request']];
    ints.forEach(function (spec) {
      if (f[spec[0]] === undefined) return;
      var n = S.wholeNumber(f[spec[0]], spec[2], spec[3]);
      if (n !== null) state[spec[1]] = n;
      else notices.push('The ' + spec[4] + ' ' + q(f[spec[0]]) + ' is not a whole number from ' + U.integer(spec[2]) + ' to ' + U.integer(spec[3]) + '; using ' + U.integer(state[spec[1]]) + '.');
    });
    if (f.kv_cache_dtype !== undefined) {
      var kv = f.kv_cache_dtype.toLowerCase();
      if (K.kvTypes(state.runtime).some(function (t) { return t[0] === kv; })) state.kv = kv;
      else notices.push('The KV cache type ' + q(f.kv_cache_dtype) + ' is not one ' + runtimeName() + ' offers; using auto.');
    }
    if (f.weights !== undefined) {
      if (weightChoices().indexOf(f.weights) >= 0) state.weights = f.weights;
      else notices.push('The checkpoint ' + q(f.weights) + ' is not offered for ' + catalog.modelsById[state.model].name + ' on ' + runtimeName() + '; using the default.');
    }
    if (f.unit !== undefined) {
      if (U.all[f.unit.toLowerCase()]) state.unit = f.unit.toLowerCase();
      else notices.push('Unknown unit ' + q(f.unit) + '; showing GiB.');
    }
    var allowed = activeKnobs();
    Object.keys(parsed.engine).forEach(function (name) {
      var text = parsed.engine[name];
      var spec = K.KNOBS[name];
      if (allowed.indexOf(name) < 0) {
        notices.push('Ignored ' + name + ': it is not a ' + runtimeName() + ' setting for this model.');
        return;
      }
      var value = null;
      if (spec.type === 'bool') value = S.flag(text);
      else if (spec.type === 'flash') value = text === 'auto' ? 'auto' : S.flag(text);
      else if (spec.type === 'text') value = /^[0-9][0-9A-Za-z.+-]{0,31}$/.test(text) ? text : null;
      else if (spec.type === 'draft') value = text === 'mtp' || resolveModel(text) ? (text === 'mtp' ? text : resolveModel(text)) : null;
      else if (spec.type === 'fraction') value = S.decimalNumber(text, 0, 1);
      else if (spec.type === 'list') value = /^\d{1,6}(\.\d{1,4})?(,\d{1,6}(\.\d{1,4})?){0,63}$/.test(text) ? text.split(',').map(Number) : null;
      else value = S.wholeNumber(text, spec.min === undefined ? -1 : spec.min, spec.max === undefined ? 1e9 : spec.max);
      if (value === null) notices.push('Ignored ' + name + ' = ' + q(text) + ': not a valid value.');
      else state.engine[name] = value;
    });
    if (parsed.unknown.length) {
      notices.push('Ignored ' + parsed.unknown.map(function (n) { return q(n); }).join(', ') + ': not settings of this page.');
    }
    return notices;
  }

  function runtimeName() {
    var r = K.RUNTIMES.filter(function (x) { return x.id === state.runtime; })[0];
    return r ? r.name : state.runtime;
  }

  // After the address bar is read: asks the estimator, and while it rejects a field, puts that field back to its
  // default and says so. Stops when the request is accepted or nothing is left to reset.
  function settle(notices) {
    for (var round = 0; round < 12; round++) {
      try {
        api.estimate(request());
        return;
      } catch (e) {
        var field = e.field || '';
        var fixed = resetField(field);
        if (!fixed) return;
        notices.push('The link\u2019s ' + (field || 'setup') + ' was rejected (' + e.message + '); ' + fixed + '.');
      }
    }
  }
  function resetField(field) {
    if (field.indexOf('engine.') === 0) {
      var knob = field.slice(7);
      if (state.engine[knob] !== undefined) {
        delete state.engine[knob];
        return 'using the engine\u2019s default for ' + knob;
      }
      if (knob === 'tensor_parallel_size' && (state.gpuCount !== 1 || state.engine.pipeline_parallel_size !== undefined)) {
        state.gpuCount = 1;
        delete state.engine.pipeline_parallel_size;
        return 'using one GPU';
      }
      return '';
    }
    if (field === 'weights' && state.weights) { state.weights = ''; return 'using the default checkpoint'; }
    if (field === 'kv_cache_dtype' && state.kv !== 'auto') { state.kv = 'auto'; return 'using auto'; }
    if (field === 'context' && state.context !== DEFAULTS.context) { state.context = DEFAULTS.context; return 'using ' + U.integer(DEFAULTS.context) + ' tokens'; }
    if (field === 'concurrency' && state.concurrency !== 1) { state.concurrency = 1; return 'using 1'; }
    if (field === 'images' && state.images !== 0) { state.images = 0; return 'using no images'; }
    if (field === 'gpu_count' && state.gpuCount !== 1) { state.gpuCount = 1; return 'using 1'; }
    if ((field === 'gpu' || field === 'gpus' || field.indexOf('device') === 0) && state.gpu !== DEFAULTS.gpu) {
      state.gpu = DEFAULTS.gpu;
      return 'using the ' + catalog.gpusById[DEFAULTS.gpu].name;
    }
    if (field === 'runtime' && state.runtime !== DEFAULTS.runtime) { state.runtime = DEFAULTS.runtime; return 'using vLLM'; }
    return '';
  }

  function showNotices(list) {
    el.noticeList.replaceChildren.apply(el.noticeList, list.map(function (t) { return make('li', '', t); }));
    el.notices.hidden = list.length === 0;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Updating
  // ---------------------------------------------------------------------------------------------------------

  // Marks the page busy at once and updates after `delay` ms (0 for menus and buttons; DEBOUNCE_MS for typing).
  function schedule(delay) {
    document.documentElement.setAttribute('data-busy', 'true');
    generation++;
    if (delay > 0) debounce('update', delay, update);
    else {
      clearTimeout(timers.update);
      update();
    }
  }

  function worstDevice(r) {
    return r.devices.reduce(function (a, d) { return !a || d.required_bytes > a.required_bytes ? d : a; }, null);
  }
  function tightestDevice(r) {
    return r.devices.reduce(function (a, d) { return !a || d.headroom_bytes < a.headroom_bytes ? d : a; }, null);
  }

  function markInvalid(field) {
    document.querySelectorAll('[aria-invalid="true"]').forEach(function (n) { n.removeAttribute('aria-invalid'); });
    if (!field) return;
    var target = null;
    if (field.indexOf('engine.') === 0) target = document.querySelector('[data-knob="' + field.slice(7).replace(/[^a-z_]/g, '') + '"]');
    else if (field.indexOf('device') === 0) target = el.customMemory;
    else target = { model: el.model, weights: el.weights, runtime: el.runtime, gpu: el.gpu, gpu_count: el.gpuCount, context: el.context, concurrency: el.concurrency, images: el.images, kv_cache_dtype: el.kvDtype }[field];
    if (target) target.setAttribute('aria-invalid', 'true');
  }

  function update() {
    if (!api) return;
    var mine = ++generation;
    var t0 = performance.now();
    var req = request();
    last.request = req;
    refreshKnobDefaults();
    window.__fitmygpuRequest = JSON.parse(JSON.stringify(req));
    el.result.setAttribute('data-request', JSON.stringify(req));
    setText(el.requestJson, JSON.stringify(req, null, 2));
    S.replace(query());
    markContextPreset();
    var response;
    try {
      response = api.estimate(req);
    } catch (e) {
      last.response = null;
      clearResult();
      setText(el.error, e.message);
      el.error.setAttribute('data-field', e.field || '');
      el.error.setAttribute('data-code', e.code || '');
      el.error.hidden = false;
      markInvalid(e.field || '');
      finish(mine, { estimate_ms: performance.now() - t0, error: true });
      return;
    }
    el.error.hidden = true;
    setText(el.error, '');
    markInvalid('');
    last.response = response;
    showResponse(response);
    var t1 = performance.now();
    var timings = { estimate_ms: t1 - t0 };
    // The GPU table and the chart come after a paint, so the verdict shows at once.
    afterPaint(function () {
      if (mine !== generation) return;
      var t2 = performance.now();
      runCompare(req);
      timings.compare_ms = performance.now() - t2;
      var tq = performance.now();
      runQuant(req);
      timings.quantizations_ms = performance.now() - tq;
      afterPaint(function () {
        if (mine !== generation) return;
        var t3 = performance.now();
        runChart(req, response);
        timings.chart_ms = performance.now() - t3;
        timings.total_ms = performance.now() - t0;
        finish(mine, timings);
      });
    });
  }

  function afterPaint(fn) {
    requestAnimationFrame(function () { setTimeout(fn, 0); });
  }

  function finish(mine, timings) {
    if (mine !== generation) return;
    document.documentElement.removeAttribute('data-busy');
    page.lastTimings = timings;
    if (performance.getEntriesByName && !performance.getEntriesByName('fitmygpu-first-complete').length && performance.mark) performance.mark('fitmygpu-first-complete');
    document.dispatchEvent(new CustomEvent('fitmygpu:updated', { detail: timings }));
  }

  function clearResult() {
    setText(el.verdict, '\u2014');
    setText(el.live, '');
    el.miniVerdict.hidden = true;
    el.verdict.className = 'verdict';
    el.verdict.removeAttribute('data-verdict');
    el.verdictCard.removeAttribute('data-verdict');
    ['requiredMemory', 'headroom', 'maxConcurrency', 'maxContext'].forEach(function (k) {
      setText(el[k], '\u2014');
      el[k].removeAttribute('data-bytes');
      el[k].removeAttribute('data-value');
    });
    ['budget', 'headroomNote', 'maxConcurrencyNote', 'maxContextNote', 'verdictSentence', 'setupLine'].forEach(function (k) { setText(el[k], ''); });
    el.facts.replaceChildren();
    el.deviceBars.replaceChildren();
    el.breakdownBody.replaceChildren();
    el.warnings.replaceChildren();
    el.assumptions.replaceChildren();
    el.chart.replaceChildren();
    el.chartTable.tHead.replaceChildren();
    el.chartTable.tBodies[0].replaceChildren();
    setText(el.chartCaption, '');
    table.update([], state.gpu);
    setText(el.gpuTableCaption, '');
    el.quantTable.tBodies[0].replaceChildren();
    setText(el.quantCaption, '');
    last.quant = null;
    last.compare = null;
    last.chart = null;
  }

  var firstShown = false;
  function showResponse(r) {
    if (!firstShown) {
      firstShown = true;
      // For scripts/bench-page: navigation to the first verdict on screen.
      if (performance.mark) performance.mark('fitmygpu-first-verdict');
    }
    var worst = worstDevice(r);
    var tight = tightestDevice(r);
    var m = catalog.modelsById[state.model] || { name: state.model };
    var gpuName = state.gpu === CUSTOM ? 'custom device' : (catalog.gpusById[state.gpu] || {}).name;
    var n = r.devices.length;

    setText(el.verdict, VERDICT_TEXT[r.verdict] || r.verdict);
    el.verdict.className = 'verdict verdict-' + String(r.verdict).replace(/[^a-z_]/g, '');
    el.verdict.setAttribute('data-verdict', r.verdict);
    el.verdictCard.setAttribute('data-verdict', r.verdict);
    setText(el.setupLine, [m.name, state.weights ? K.formatName(state.weights) : defaultWeightsText().replace(/^Default: /, ''), runtimeName(),
      state.gpuCount + ' \u00d7 ' + gpuName].join(' \u00b7 '));

    var where = n > 1 ? 'on the most loaded of the ' + n + ' GPUs' : 'on the GPU';
    var sentence;
    if (r.verdict === 'does_not_fit') {
      sentence = 'Needs ' + U.size(worst.required_bytes) + ' ' + where + ', but the engine\u2019s budget there is ' + U.size(worst.budget_bytes) +
        ': ' + U.size(-tight.headroom_bytes) + ' short.';
    } else {
      sentence = (r.verdict === 'tight' ? 'Fits with little to spare: needs ' : 'Needs ') + U.size(worst.required_bytes) + ' ' + where + ' of a ' +
        U.size(worst.budget_bytes) + ' budget, leaving ' + U.size(tight.headroom_bytes) + '.';
    }
    if (r.limits.max_concurrency > 0) {
      sentence += ' At ' + U.integer(state.context) + ' tokens per request it serves up to ' + plural(r.limits.max_concurrency, 'request') + ' at once.';
    } else {
      sentence += ' Not even one request of ' + U.integer(state.context) + ' tokens fits' +
        (r.limits.max_context > 0 ? '; with ' + plural(state.concurrency, 'request') + ' at once the longest context that fits is ' + U.integer(r.limits.max_context) + ' tokens.' : '.');
    }
    setText(el.verdictSentence, sentence);
    // One short sentence for screen readers after each change, and the phone's sticky summary.
    setText(el.live, (VERDICT_TEXT[r.verdict] || r.verdict) + '. ' + sentence);
    setText(el.miniVerdict, (VERDICT_TEXT[r.verdict] || r.verdict) + ' \u00b7 needs ' + U.size(worst.required_bytes) + ' of ' + U.size(worst.budget_bytes) + ' \u2193');
    el.miniVerdict.className = 'mini-verdict mini-' + String(r.verdict).replace(/[^a-z_]/g, '');

    setText(el.requiredScope, n > 1 ? 'most loaded GPU' : 'on the GPU');
    setText(el.requiredMemory, U.size(worst.required_bytes));
    el.requiredMemory.setAttribute('data-bytes', String(worst.required_bytes));
    setText(el.budget, 'of a ' + U.size(worst.budget_bytes) + ' budget; the card has ' + U.size(worst.capacity_bytes));
    setText(el.headroomLabel, tight.headroom_bytes < 0 ? 'Deficit' : 'Headroom');
    setText(el.headroom, U.size(Math.abs(tight.headroom_bytes)));
    el.headroom.setAttribute('data-bytes', String(tight.headroom_bytes));
    el.headroom.className = 'figure' + (tight.headroom_bytes < 0 ? ' negative' : '');
    setText(el.headroomNote, tight.headroom_bytes < 0 ? 'more than the budget allows' + (n > 1 ? ' (on the fullest GPU)' : '') : 'left in the budget' + (n > 1 ? ' (least on any GPU)' : ''));
    setText(el.maxConcurrency, plural(r.limits.max_concurrency, 'request'));
    el.maxConcurrency.setAttribute('data-value', String(r.limits.max_concurrency));
    setText(el.maxConcurrencyNote, 'of ' + U.integer(state.context) + ' tokens' +
      (r.kv_cache.capacity_tokens ? '; the KV cache holds ' + U.integer(r.kv_cache.capacity_tokens) + ' tokens' : ''));
    setText(el.maxContext, r.limits.max_context > 0 ? plural(r.limits.max_context, 'token') : 'none');
    el.maxContext.setAttribute('data-value', String(r.limits.max_context));
    setText(el.maxContextNote, 'per request, with ' + plural(state.concurrency, 'request') + ' at once');

    showFacts(r);
    showBars(r);
    showBreakdown(r);
    listItems(el.warnings, r.warnings || []);
    listItems(el.assumptions, r.assumptions || []);
    el.notesCard.hidden = !(r.warnings || []).length && !(r.assumptions || []).length;
    showModelFacts();
  }

  function listItems(list, texts) {
    list.replaceChildren.apply(list, texts.map(function (t) { return make('li', '', t); }));
  }

  function fact(dl, term, value, title) {
    var div = make('div', 'fact');
    div.appendChild(make('dt', '', term));
    var dd = make('dd', '', value);
    if (title) dd.title = title;
    div.appendChild(dd);
    dl.appendChild(div);
  }

  function showFacts(r) {
    el.facts.replaceChildren();
    fact(el.facts, 'KV cache per token', U.smallSize(r.kv_cache.bytes_per_token), 'All layers, all devices, at the chosen KV cache type');
    fact(el.facts, 'KV cache for this workload', U.size(r.kv_cache.required_bytes), U.integer(state.context) + ' tokens \u00d7 ' + U.integer(state.concurrency));
    if (r.kv_cache.capacity_tokens) fact(el.facts, 'KV cache capacity', plural(r.kv_cache.capacity_tokens, 'token'), 'Tokens the allocated cache holds');
    if (r.host && r.host.total_bytes > 0) fact(el.facts, 'Host memory (RAM)', U.size(r.host.total_bytes), 'Offloaded layers and host buffers');
    if (r.speed) {
      fact(el.facts, 'Decode speed (rough)', U.decimal(r.speed.decode_tokens_per_s, r.speed.decode_tokens_per_s >= 100 ? 0 : 1) + ' tokens/s per request', 'A roofline from memory bandwidth; see the assumptions');
      fact(el.facts, 'Time to first token (rough)', U.decimal(r.speed.ttft_s, r.speed.ttft_s >= 10 ? 1 : 2) + ' s', 'Prefill of the whole context at ' + U.integer(r.speed.prefill_tokens_per_s) + ' tokens/s');
    }
  }

  // One stacked bar per device: the components as the engine allocates them, against the device's capacity
  // (the bar's full width unless something is bigger), with the budget and what this setup needs marked.
  function showBars(r) {
    var bars = [];
    var legendUsed = {};
    var devices = r.devices;
    var shown = devices.slice(0, MAX_BARS);
    var scale = Math.max.apply(null, devices.map(function (d) { return Math.max(d.capacity_bytes, d.total_bytes, d.required_bytes, d.budget_bytes); }));
    shown.forEach(function (d, i) {
      bars.push(deviceBar(d.name + ' #' + i, d, scale, legendUsed));
    });
    if (devices.length > shown.length) bars.push(make('p', 'hint', '\u2026and ' + (devices.length - shown.length) + ' more GPUs (see the breakdown).'));
    if (r.host && r.host.total_bytes > 0) {
      var host = { components: r.host.components, total_bytes: r.host.total_bytes };
      bars.push(deviceBar('Host memory (RAM)', host, Math.max(scale, r.host.total_bytes), legendUsed));
    }
    el.deviceBars.replaceChildren.apply(el.deviceBars, bars);
    var legend = COMPONENTS.filter(function (c) { return legendUsed[c.key]; }).map(function (c) {
      var li = make('li');
      li.appendChild(make('span', 'swatch seg-' + c.key));
      li.appendChild(document.createTextNode(c.name));
      return li;
    });
    var markers = [['mark-required', 'needed for this setup'], ['mark-budget', 'engine budget'], ['mark-capacity', 'capacity']];
    markers.forEach(function (mk) {
      var li = make('li');
      li.appendChild(make('span', 'swatch ' + mk[0]));
      li.appendChild(document.createTextNode(mk[1]));
      legend.push(li);
    });
    el.barLegend.replaceChildren.apply(el.barLegend, legend);
  }

  function pct(bytes, scale) { return Math.max(0, Math.min(100, bytes / scale * 100)).toFixed(3) + '%'; }

  function deviceBar(title, d, scale, legendUsed) {
    var wrap = make('div', 'device');
    var head = make('div', 'device-head');
    head.appendChild(make('span', 'device-name', title));
    var summary = d.capacity_bytes
      ? U.size(d.required_bytes) + ' needed \u00b7 budget ' + U.size(d.budget_bytes) + ' \u00b7 capacity ' + U.size(d.capacity_bytes)
      : U.size(d.total_bytes);
    head.appendChild(make('span', 'device-figures', summary));
    wrap.appendChild(head);
    var bar = make('div', 'bar');
    var parts = [];
    COMPONENTS.forEach(function (c) {
      var bytes = (d.components || {})[c.key] || 0;
      if (bytes <= 0) return;
      legendUsed[c.key] = true;
      var seg = make('span', 'seg seg-' + c.key);
      seg.style.width = pct(bytes, scale);
      seg.title = c.name + ': ' + U.size(bytes);
      bar.appendChild(seg);
      parts.push(c.name + ' ' + U.size(bytes));
    });
    if (d.capacity_bytes) {
      [['mark-capacity', d.capacity_bytes, 'capacity'], ['mark-budget', d.budget_bytes, 'budget'], ['mark-required', d.required_bytes, 'needed']].forEach(function (mk) {
        var m = make('span', 'mark ' + mk[0]);
        m.style.left = pct(mk[1], scale);
        m.title = mk[2] + ': ' + U.size(mk[1]);
        bar.appendChild(m);
      });
    }
    bar.setAttribute('role', 'img');
    bar.setAttribute('aria-label', title + ': ' + parts.join(', ') + (d.capacity_bytes ? '; needed ' + U.size(d.required_bytes) + ' of a ' +
      U.size(d.budget_bytes) + ' budget, capacity ' + U.size(d.capacity_bytes) : ''));
    wrap.appendChild(bar);
    return wrap;
  }

  function showBreakdown(r) {
    var deviceName = function (i) { return i < 0 ? 'host' : r.devices[i] ? r.devices[i].id : '#' + i; };
    var rows = r.breakdown.map(function (b) {
      var tr = document.createElement('tr');
      tr.setAttribute('data-component', b.component);
      var comp = make('td', 'component');
      comp.appendChild(make('span', 'swatch seg-' + String(b.component).replace(/[^a-z_]/g, '')));
      comp.appendChild(document.createTextNode(COMPONENT_NAME[b.component] || b.component));
      comp.setAttribute('data-label', 'Component');
      tr.appendChild(comp);
      var item = make('td', 'item');
      item.appendChild(make('span', 'item-label', b.label));
      if (b.note) item.appendChild(make('span', 'note', b.note));
      item.setAttribute('data-label', 'Item');
      tr.appendChild(item);
      var dev = make('td', 'device-cell', deviceName(b.device));
      dev.setAttribute('data-label', 'Device');
      tr.appendChild(dev);
      var size = make('td', 'num', U.number(b.bytes));
      size.setAttribute('data-bytes', String(b.bytes));
      size.setAttribute('data-label', U.unit().name);
      tr.appendChild(size);
      var formula = make('td', 'formula-cell');
      formula.appendChild(make('code', 'formula', b.formula));
      formula.appendChild(make('code', 'substituted', b.substituted));
      formula.setAttribute('data-label', 'Formula');
      tr.appendChild(formula);
      return tr;
    });
    el.breakdownBody.replaceChildren.apply(el.breakdownBody, rows);
    setText(el.breakdownUnit, U.unit().name);
  }

  function showModelFacts() {
    var m = catalog.modelsById[state.model];
    var rec = record(state.model);
    var d = rec.derived || {};
    el.modelFacts.replaceChildren();
    if (!m) return;
    fact(el.modelFacts, 'Model', m.name);
    if (m.company) fact(el.modelFacts, 'From', m.company + (m.release_date ? ', ' + m.release_date : ''));
    if (d.params_total) fact(el.modelFacts, 'Parameters', U.integer(d.params_total) + (d.params_active && d.params_active !== d.params_total ? ' (' + U.integer(d.params_active) + ' active)' : ''));
    if (d.layers) fact(el.modelFacts, 'Layers', U.integer(d.layers) + (d.layer_kinds ? ' (' + Object.keys(d.layer_kinds).map(function (k) { return d.layer_kinds[k] + ' ' + k; }).join(', ') + ')' : ''));
    if (d.hidden_size) fact(el.modelFacts, 'Hidden size', U.integer(d.hidden_size));
    if (d.attention_heads) fact(el.modelFacts, 'Attention heads', U.integer(d.attention_heads) + ' (' + U.integer(d.kv_heads) + ' KV, head dim ' + U.integer(d.head_dim) + ')');
    if (d.experts) fact(el.modelFacts, 'Experts', U.integer(d.experts) + ' (' + U.integer(d.experts_per_token) + ' per token)');
    if (m.context_window) fact(el.modelFacts, 'Context window', U.integer(m.context_window) + ' tokens');
    if (m.modality) fact(el.modelFacts, 'Inputs', m.modality.replace(/\+/g, ', '));
    if (m.license) fact(el.modelFacts, 'License', m.license);
    if (rec.hf_repo) fact(el.modelFacts, 'Hugging Face', rec.hf_repo);
  }

  // ---- the GPU table: one compare call, cached while only the GPU changes ----
  function runCompare(req) {
    var base = Object.assign({}, req);
    delete base.gpu;
    delete base.device;
    var key = JSON.stringify(base);
    if (cache.compareKey !== key) {
      try {
        cache.compare = { rows: api.compare(base).gpus };
      } catch (e) {
        cache.compare = { error: e.message };
      }
      cache.compareKey = key;
    }
    last.compare = cache.compare;
    showCompare();
  }

  function showCompare() {
    var c = last.compare;
    if (!c) return;
    if (c.error) {
      table.update([], state.gpu);
      setText(el.gpuTableCaption, 'The comparison failed: ' + c.error);
      return;
    }
    var rows = c.rows;
    var fits = rows.filter(function (r) { return !r.error && r.fits; });
    var smallest = fits.slice().sort(function (a, b) { return a.memory_bytes - b.memory_bytes; })[0];
    var cards = state.gpuCount === 1 ? 'one card' : state.gpuCount + ' cards';
    setText(el.gpuTableCaption, 'This setup on every GPU in the catalog, ' + cards + ' each: ' + fits.length + ' of ' + rows.length + ' fit' +
      (smallest ? '; the smallest is the ' + smallest.name + ' (' + U.size(smallest.memory_bytes) + ')' : '') +
      '. \u201cFewest cards\u201d tries 1, 2, 4, 8 and 16. Pick a GPU by its name.');
    var vendors = {};
    rows.forEach(function (r) { if (r.vendor) vendors[r.vendor] = true; });
    var current = el.tableVendor.value;
    var names = Object.keys(vendors).sort();
    if (el.tableVendor.options.length !== names.length + 1) {
      el.tableVendor.replaceChildren.apply(el.tableVendor, [option('', 'All')].concat(names.map(function (v) { return option(v, v); })));
      el.tableVendor.value = names.indexOf(current) >= 0 ? current : '';
    }
    table.update(rows, state.gpu === CUSTOM ? '' : state.gpu);
  }

  // ---- which checkpoint fits: one quantizations call, cached while only the checkpoint changes ----
  function runQuant(req) {
    var base = Object.assign({}, req);
    delete base.weights;
    var key = JSON.stringify(base);
    if (cache.quantKey !== key) {
      try {
        cache.quant = api.quantizations(base);
      } catch (e) {
        cache.quant = { error: e.message };
      }
      cache.quantKey = key;
    }
    last.quant = cache.quant;
    showQuant();
  }

  function showQuant() {
    var q = last.quant;
    if (!q) return;
    var body = el.quantTable.tBodies[0];
    if (q.error) {
      body.replaceChildren();
      setText(el.quantCaption, 'The comparison of checkpoints failed: ' + q.error);
      return;
    }
    var offered = weightChoices();
    var current = state.weights || (K.isGgufRuntime(state.runtime) ? 'gguf:Q4_K_M' : state.runtime === 'mlx' ? 'mlx-4bit' : officialFormat(state.model));
    var best = q.options.filter(function (o) { return o.weights === q.best; })[0];
    setText(el.quantCaption, (best ? 'The most precise format that fits this setup is ' + best.label + '.' : 'No format fits this setup.') +
      ' Formats with a published checkpoint (or a GGUF type llama.cpp makes) can be picked by name.');
    body.replaceChildren.apply(body, q.options.map(function (o) {
      var tr = make('tr');
      tr.setAttribute('data-weights', o.weights);
      if (o.weights === current) {
        tr.className = 'selected';
        tr.setAttribute('aria-current', 'true');
      }
      var name = make('th');
      name.scope = 'row';
      if (offered.indexOf(o.weights) >= 0) {
        var pick = make('button', 'link', o.label);
        pick.type = 'button';
        pick.addEventListener('click', function () {
          state.weights = o.weights;
          el.weights.value = o.weights;
          showWeightsHint();
          schedule(0);
        });
        name.appendChild(pick);
      } else {
        name.appendChild(document.createTextNode(o.label));
        name.appendChild(make('span', 'note', ' no published checkpoint'));
      }
      if (o.weights === q.best) name.appendChild(make('span', 'badge badge-fits badge-best', 'best fit'));
      tr.appendChild(name);
      tr.appendChild(make('td', 'num', o.bits_per_weight !== undefined ? U.decimal(o.bits_per_weight, 2) : '\u2014'));
      tr.appendChild(make('td', 'num', o.weights_bytes !== undefined ? U.number(o.weights_bytes) : '\u2014'));
      var status = make('td');
      var verdict = o.error ? 'error' : o.verdict;
      var badge = make('span', 'badge badge-' + verdict, page.gpuTable.STATUS_TEXT[verdict] || verdict);
      if (o.error) badge.title = o.error;
      status.appendChild(badge);
      tr.appendChild(status);
      tr.appendChild(make('td', 'num' + (o.headroom_bytes < 0 ? ' negative' : ''), o.headroom_bytes !== undefined ? (o.headroom_bytes > 0 ? '+' : '') + U.number(o.headroom_bytes) : '\u2014'));
      return tr;
    }));
  }

  // ---- the chart: the setup at a handful of context lengths, cached while only the context changes ----
  function chartContexts() {
    var max = Math.max(modelMaxContext() || 131072, state.context);
    var min = Math.min(1024, state.context);
    var list = [];
    for (var c = 1024; c < max; c *= 2) if (c >= min) list.push(c);
    if (min < 1024) list.unshift(min);
    list.push(max);
    while (list.length > MAX_CHART_POINTS) {
      // Thin out from the inside, keeping both ends.
      list = list.filter(function (v, i) { return i === 0 || i === list.length - 1 || i % 2 === 0; });
    }
    return list;
  }

  function runChart(req, response) {
    var contexts = chartContexts();
    var base = Object.assign({}, req);
    delete base.context;
    var key = JSON.stringify(base) + '|' + contexts.join(',');
    if (cache.chartKey !== key) {
      cache.chart = contexts.map(function (c) {
        try {
          var r = api.estimate(Object.assign({}, base, { context: c }));
          var w = worstDevice(r);
          return { context: c, bytes: w.required_bytes, fits: r.verdict !== 'does_not_fit' };
        } catch (e) {
          return { context: c, bytes: -1, fits: false, error: e.message };
        }
      });
      cache.chartKey = key;
    }
    var worst = worstDevice(response);
    last.chart = {
      points: cache.chart,
      capacity: worst.capacity_bytes,
      budget: worst.budget_bytes,
      current: { context: state.context, bytes: worst.required_bytes },
      maxContext: response.limits.max_context,
      deviceName: worst.name,
    };
    showChart();
  }

  function showChart() {
    var c = last.chart;
    if (!c) return;
    page.chart.render(el.chart, c);
    setText(el.chartCaption, 'Memory the setup needs on ' + (last.response.devices.length > 1 ? 'its most loaded GPU' : 'the GPU') + ' (' + c.deviceName +
      ') at ' + plural(state.concurrency, 'request') + ' of each length, from the estimator at ' + c.points.length + ' context lengths. ' +
      (c.maxContext > 0 ? 'The longest context that fits is ' + U.integer(c.maxContext) + ' tokens.' : 'No context length fits.'));
    var head = make('tr');
    ['Context (tokens)', 'Needed (' + U.unit().name + ')', 'Verdict'].forEach(function (t, i) {
      var th = make('th', i ? 'num' : '', t);
      th.scope = 'col';
      head.appendChild(th);
    });
    el.chartTable.tHead.replaceChildren(head);
    el.chartTable.tBodies[0].replaceChildren.apply(el.chartTable.tBodies[0], c.points.map(function (p) {
      var tr = make('tr');
      tr.appendChild(make('td', '', U.integer(p.context)));
      tr.appendChild(make('td', 'num', p.bytes >= 0 ? U.number(p.bytes) : '\u2014'));
      tr.appendChild(make('td', 'num', p.error ? p.error : p.fits ? 'fits' : 'does not fit'));
      return tr;
    }));
  }

  // Units changed: everything is redrawn from the answers already in hand.
  function showUnitLabels() {
    document.querySelectorAll('[data-unit-label]').forEach(function (n) { setText(n, U.unit().name); });
  }
  function rerenderUnits() {
    U.setUnit(state.unit);
    showUnitLabels();
    el.customMemory.value = String(customMemoryInUnit());
    var selected = el.gpu.value;
    el.gpu.querySelectorAll('option').forEach(function (o) {
      var g = catalog.gpusById[o.value];
      if (g) o.textContent = gpuOptionText(g);
    });
    el.gpu.value = selected;
    showGpuSummary();
    if (last.response) showResponse(last.response);
    if (last.compare) showCompare();
    if (last.chart) showChart();
    if (last.quant) showQuant();
    S.replace(query());
  }

  // ---------------------------------------------------------------------------------------------------------
  // Search boxes
  // ---------------------------------------------------------------------------------------------------------

  function searchModels() {
    var q = el.modelSearch.value.trim();
    if (!q) {
      fillModels(null);
      setText(el.modelSearchStatus, '');
      return;
    }
    var ids = api.search(q, 'models');
    if (!ids.length) {
      setText(el.modelSearchStatus, 'No model matches \u201c' + q + '\u201d.');
      return;
    }
    var changed = ids.indexOf(state.model) < 0;
    if (changed) state.model = ids[0];
    fillModels(ids);
    setText(el.modelSearchStatus, plural(ids.length, 'match', 'matches') + (changed ? '; showing the best one' : ''));
    if (changed) modelChanged();
  }

  function searchGpus() {
    var q = el.gpuSearch.value.trim();
    if (!q) {
      fillGpus(null);
      setText(el.gpuSearchStatus, '');
      return;
    }
    var ids = api.search(q, 'gpus');
    if (!ids.length) {
      setText(el.gpuSearchStatus, 'No GPU matches \u201c' + q + '\u201d.');
      return;
    }
    var changed = ids.indexOf(state.gpu) < 0;
    if (changed) state.gpu = ids[0];
    fillGpus(ids);
    setText(el.gpuSearchStatus, plural(ids.length, 'match', 'matches') + (changed ? '; showing the best one' : ''));
    if (changed) gpuChanged();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Events
  // ---------------------------------------------------------------------------------------------------------

  // Images are offered for models with a vision encoder; llama.cpp and Ollama also need the mmproj knob on.
  function takesImages() {
    var m = catalog.modelsById[state.model];
    return !!(m && m.modality && m.modality.indexOf('vision') >= 0);
  }
  function showImagesField() {
    el.imagesField.hidden = !takesImages();
    el.images.value = String(state.images);
  }

  function modelChanged() {
    showImagesField();
    fillWeights();
    fillKnobs();
    fillContextPresets();
    showModelSummary();
    schedule(0);
  }
  function gpuChanged() {
    el.customDevice.hidden = state.gpu !== CUSTOM;
    showGpuSummary();
    schedule(0);
  }

  function numberInput(input, apply) {
    input.addEventListener('input', function () {
      apply(wholeOrRaw(input));
      schedule(DEBOUNCE_MS);
    });
  }

  // Sets a pasted startup log beside the estimate of the current request (api.checkLog); the text never leaves
  // the page.
  function checkLog() {
    var text = el.logText.value;
    var tbody = el.logTable.tBodies[0];
    tbody.replaceChildren();
    el.logTable.hidden = true;
    if (!text.trim()) return setText(el.logStatus, 'Paste a startup log first.');
    var result;
    try {
      result = api.checkLog(request(), text);
    } catch (e) {
      return setText(el.logStatus, e.message);
    }
    result.rows.forEach(function (r) {
      var tr = document.createElement('tr');
      tr.setAttribute('data-what', r.what);
      var value = function (v) { return r.unit === 'tokens' ? U.integer(v) + ' tokens' : U.size(v); };
      [r.what, r.device < 0 ? 'host' : '#' + r.device, value(r.logged), value(r.estimated),
       r.error_pct === undefined ? '' : (r.error_pct > 0 ? '+' : '') + r.error_pct.toFixed(2) + '%'].forEach(function (cell, i) {
        var td = make('td', i >= 2 ? 'num' : '', cell);
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    el.logTable.hidden = result.rows.length === 0;
    setText(el.logStatus, 'Read a ' + (result.engine === 'vllm' ? 'vLLM' : 'llama.cpp') + ' log: ' + result.rows.length + ' figures compared.');
  }

  function copyLink() {
    var url = S.link(query());
    var done = function (ok) {
      setText(el.copyLink, ok ? 'Link copied' : 'Copy failed');
      el.copyLink.setAttribute('data-copied', ok ? 'true' : 'false');
      el.copyLink.setAttribute('data-link', url);
      setTimeout(function () { setText(el.copyLink, 'Copy link'); }, 2000);
    };
    var fallback = function () {
      var area = document.createElement('textarea');
      area.value = url;
      area.setAttribute('readonly', '');
      area.className = 'offscreen';
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      document.body.removeChild(area);
      done(ok);
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(url).then(function () { done(true); }, fallback);
    else fallback();
  }

  function wire() {
    el.form.addEventListener('submit', function (e) { e.preventDefault(); });
    el.model.addEventListener('change', function () {
      state.model = el.model.value;
      modelChanged();
    });
    el.runtime.addEventListener('change', function () {
      state.runtime = el.runtime.value;
      fillWeights();
      fillKv();
      fillKnobs();
      schedule(0);
    });
    el.weights.addEventListener('change', function () {
      state.weights = el.weights.value;
      showWeightsHint();
      schedule(0);
    });
    el.gpu.addEventListener('change', function () {
      state.gpu = el.gpu.value;
      gpuChanged();
    });
    el.kvDtype.addEventListener('change', function () {
      state.kv = el.kvDtype.value;
      schedule(0);
    });
    numberInput(el.gpuCount, function (v) { state.gpuCount = v; });
    numberInput(el.context, function (v) { state.context = v; });
    numberInput(el.concurrency, function (v) { state.concurrency = v; });
    numberInput(el.images, function (v) { state.images = v === null ? 0 : v; });
    el.logCheck.addEventListener('click', checkLog);
    el.customMemory.addEventListener('input', function () {
      var v = Number(el.customMemory.value);
      // The estimator takes whole MiB; the field is in the page's unit.
      state.customMemMib = el.customMemory.value.trim() === '' || !isFinite(v) ? null : Math.round(v * U.unit().bytes / 1048576);
      schedule(DEBOUNCE_MS);
    });
    el.customBandwidth.addEventListener('input', function () {
      var t = el.customBandwidth.value.trim();
      state.customBandwidth = t === '' ? '' : Number(t);
      schedule(DEBOUNCE_MS);
    });
    el.customUnified.addEventListener('change', function () {
      state.customUnified = el.customUnified.checked;
      schedule(0);
    });
    [el.unitGib, el.unitGb].forEach(function (radio) {
      radio.addEventListener('change', function () {
        if (!radio.checked) return;
        state.unit = radio.value;
        rerenderUnits();
        schedule(0);  // the breakdown's formulas are written in the chosen unit by the estimator
      });
    });
    el.modelSearch.addEventListener('input', function () { debounce('model-search', SEARCH_DEBOUNCE_MS, searchModels); });
    el.gpuSearch.addEventListener('input', function () { debounce('gpu-search', SEARCH_DEBOUNCE_MS, searchGpus); });
    [[el.modelSearch, searchModels, el.model], [el.gpuSearch, searchGpus, el.gpu]].forEach(function (t) {
      t[0].addEventListener('keydown', function (e) {
        if (e.key === 'Enter') {
          e.preventDefault();
          clearTimeout(timers[t[0] === el.modelSearch ? 'model-search' : 'gpu-search']);
          t[1]();
          t[2].focus();
        } else if (e.key === 'Escape' && t[0].value) {
          e.preventDefault();
          t[0].value = '';
          t[1]();
        }
      });
    });
    el.copyLink.addEventListener('click', copyLink);
    el.noticesDismiss.addEventListener('click', function () { showNotices([]); });
    var filters = function () { table.setFilters({ fitsOnly: el.tableFits.checked, vendor: el.tableVendor.value }); };
    el.tableFits.addEventListener('change', filters);
    // The sticky summary shows on narrow screens while the verdict card is out of sight.
    if ('IntersectionObserver' in window) {
      new IntersectionObserver(function (entries) {
        el.miniVerdict.hidden = entries[0].isIntersecting || !last.response;
      }).observe(el.verdictCard);
    }
    var width = window.innerWidth;
    window.addEventListener('resize', function () {
      if (window.innerWidth === width) return;
      width = window.innerWidth;
      debounce('resize', 150, showChart);
    });
    el.tableVendor.addEventListener('change', filters);
  }

  function start() {
    [['form', 'setup'], ['model', 'model'], ['modelSearch', 'model-search'], ['modelSearchStatus', 'model-search-status'], ['modelSummary', 'model-summary'],
      ['weights', 'weights'], ['weightsHint', 'weights-hint'], ['runtime', 'runtime'], ['mainKnobs', 'main-knobs'], ['advanced', 'advanced'],
      ['advancedKnobs', 'advanced-knobs'], ['advancedEngine', 'advanced-engine'], ['gpu', 'gpu'], ['gpuSearch', 'gpu-search'],
      ['gpuSearchStatus', 'gpu-search-status'], ['gpuSummary', 'gpu-summary'], ['customDevice', 'custom-device'], ['customMemory', 'custom-memory'],
      ['customBandwidth', 'custom-bandwidth'], ['customUnified', 'custom-unified'], ['gpuCount', 'gpu-count'], ['context', 'context'],
      ['contextMax', 'context-max'], ['contextPresets', 'context-presets'], ['concurrency', 'concurrency'], ['images', 'images'], ['imagesField', 'images-field'], ['kvDtype', 'kv-dtype'],
      ['unitGib', 'unit-gib'], ['unitGb', 'unit-gb'], ['copyLink', 'copy-link'], ['notices', 'notices'], ['noticeList', 'notice-list'],
      ['noticesDismiss', 'notices-dismiss'], ['result', 'result'], ['status', 'status'], ['error', 'error'], ['verdictCard', 'verdict-card'],
      ['verdict', 'verdict'], ['setupLine', 'setup-line'], ['verdictSentence', 'verdict-sentence'], ['requiredScope', 'required-scope'],
      ['requiredMemory', 'required-memory'], ['budget', 'budget'], ['headroomLabel', 'headroom-label'], ['headroom', 'headroom'],
      ['headroomNote', 'headroom-note'], ['maxConcurrency', 'max-concurrency'], ['maxConcurrencyNote', 'max-concurrency-note'],
      ['maxContext', 'max-context'], ['maxContextNote', 'max-context-note'], ['facts', 'facts'], ['deviceBars', 'device-bars'],
      ['barLegend', 'bar-legend'], ['notesCard', 'notes-card'], ['warnings', 'warnings'], ['assumptions', 'assumptions'], ['chart', 'chart'],
      ['chartCaption', 'chart-caption'], ['chartTable', 'chart-table'], ['gpuTable', 'gpu-table'], ['gpuTableCaption', 'gpu-table-caption'],
      ['tableFits', 'gpu-table-fits'], ['tableVendor', 'gpu-table-vendor'], ['breakdownUnit', 'breakdown-unit'], ['modelFacts', 'model-facts'],
      ['requestJson', 'request-json'], ['logText', 'log-text'], ['logCheck', 'log-check'], ['logStatus', 'log-status'], ['logTable', 'log-table'], ['quantTable', 'quant-table'], ['quantCaption', 'quant-caption'], ['live', 'live'],
      ['miniVerdict', 'mini-verdict']].forEach(function (p) { el[p[0]] = $(p[1]); });
    el.breakdownBody = $('breakdown').tBodies[0];

    if (typeof FitMyGPU === 'undefined' || typeof FitMyGPU.ready !== 'function') {
      setText(el.status, 'The estimator (fitmygpu.js) did not load.');
      return;
    }
    FitMyGPU.ready().then(function (loaded) {
      api = loaded;
      table = page.gpuTable.create(el.gpuTable, {
        onPick: function (gpu) {
          state.gpu = gpu;
          el.gpuSearch.value = '';
          setText(el.gpuSearchStatus, '');
          fillGpus(null);
          gpuChanged();
          el.gpu.focus();
        },
      });
      loadCatalog();
      if (!catalog.modelsById[DEFAULTS.model]) state.model = catalog.models[0].id;
      if (!catalog.gpusById[DEFAULTS.gpu]) state.gpu = catalog.gpus[0].id;
      var notices = readUrl();
      U.setUnit(state.unit);
      settle(notices);
      writeForm();
      showNotices(notices);
      el.model.disabled = false;
      el.gpu.disabled = false;
      wire();
      setText(el.status, 'Estimator ' + api.version + ' \u00b7 ' + catalog.models.length + ' models \u00b7 ' + catalog.gpus.length + ' GPUs');
      schedule(0);
      document.documentElement.setAttribute('data-ready', 'true');
    }, function (err) {
      setText(el.status, 'The estimator could not start: ' + (err && err.message ? err.message : String(err)));
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
