// The page: fills the form from the module's catalog, asks the module for an estimate on every change and
// shows the answer. Nothing about models or engines is computed here (design.md §1); text that comes from
// data is always set with textContent.
(function () {
  'use strict';

  var GIB = 1073741824;  // 2^30: every size on the page is in GiB, and says so
  var DEFAULT_MODEL = 'llama-3.1-8b';
  var DEFAULT_GPU = 'rtx-4090';
  var VERDICT_TEXT = { fits: 'Fits', tight: 'Tight fit', does_not_fit: 'Does not fit' };

  // Weight formats offered per runtime, besides the model's own checkpoints. The estimator validates the
  // choice; these lists only keep the menu short.
  var GGUF_TYPES = ['gguf:Q4_K_M', 'gguf:Q5_K_M', 'gguf:Q6_K', 'gguf:Q8_0', 'gguf:F16'];
  var SERVING_FORMATS = ['bf16', 'fp16', 'fp8', 'int8', 'awq-int4', 'gptq-int4', 'nvfp4', 'mxfp4'];
  var MLX_FORMATS = ['mlx-4bit', 'mlx-8bit', 'bf16', 'fp16'];

  var el = {};
  var api = null;
  var modelsById = {};

  function $(id) { return document.getElementById(id); }

  function gib(bytes) {
    var value = bytes / GIB;
    var text = Math.abs(value).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return (value < 0 ? '\u2212' : '') + text + ' GiB';
  }

  function option(value, text) {
    var o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    return o;
  }

  function group(select, label, items) {
    var g = document.createElement('optgroup');
    g.label = label;
    items.forEach(function (item) { g.appendChild(item); });
    select.appendChild(g);
  }

  function byName(a, b) { return a.name.localeCompare(b.name, 'en', { numeric: true }); }

  function fillModels(models) {
    var families = {};
    models.slice().sort(byName).forEach(function (m) {
      modelsById[m.id] = m;
      var company = m.company || 'Other';
      (families[company] = families[company] || []).push(option(m.id, m.name));
    });
    Object.keys(families).sort().forEach(function (company) { group(el.model, company, families[company]); });
    el.model.value = modelsById[DEFAULT_MODEL] ? DEFAULT_MODEL : models[0].id;
  }

  function fillGpus(gpus) {
    var vendors = {};
    gpus.slice().sort(byName).forEach(function (g) {
      var memory = typeof g.memory_mib === 'number' ? ' (' + gib(g.memory_mib * 1048576) + ')' : '';
      var vendor = g.vendor || 'Other';
      (vendors[vendor] = vendors[vendor] || []).push(option(g.id, g.name + memory));
    });
    Object.keys(vendors).sort().forEach(function (vendor) { group(el.gpu, vendor, vendors[vendor]); });
    el.gpu.value = gpus.some(function (g) { return g.id === DEFAULT_GPU; }) ? DEFAULT_GPU : gpus[0].id;
  }

  // The weights menu: the model's official checkpoint (the default), its published formats, then the
  // usual formats of the chosen runtime. Keeps the current choice when it is still on the list.
  function fillWeights() {
    var runtime = el.runtime.value;
    var model = modelsById[el.model.value] || {};
    var gguf = runtime === 'llama.cpp' || runtime === 'ollama';
    var published = (model.formats || []).filter(function (f) {
      var isGguf = f.indexOf('gguf:') === 0;
      if (gguf) return isGguf;
      if (runtime === 'mlx') return MLX_FORMATS.indexOf(f) >= 0;
      return !isGguf && f.indexOf('mlx-') !== 0;
    });
    var generic = gguf ? GGUF_TYPES : runtime === 'mlx' ? MLX_FORMATS : SERVING_FORMATS;
    var seen = {};
    var previous = el.weights.value;
    el.weights.replaceChildren(option('', gguf ? 'default (GGUF Q4_K_M)' : runtime === 'mlx' ? 'default (MLX 4-bit)' : 'default (official checkpoint)'));
    [['Published for this model', published], ['Other formats', generic]].forEach(function (pair) {
      var items = [];
      pair[1].forEach(function (f) {
        if (seen[f]) return;
        seen[f] = true;
        items.push(option(f, f));
      });
      if (items.length) group(el.weights, pair[0], items);
    });
    el.weights.value = seen[previous] ? previous : '';
  }

  function positiveInt(input) {
    var n = Number(input.value);
    return Number.isFinite(n) ? Math.floor(n) : NaN;
  }

  function request() {
    var req = {
      model: el.model.value,
      runtime: el.runtime.value,
      gpu: el.gpu.value,
      gpu_count: positiveInt(el.gpuCount),
      context: positiveInt(el.context),
      concurrency: positiveInt(el.concurrency),
      kv_cache_dtype: el.kvDtype.value,
    };
    if (el.weights.value) req.weights = el.weights.value;
    return req;  // engine knobs (tensor parallel size, ...) take the engine's defaults in the core
  }

  function setText(node, text) { node.textContent = text; }

  function clearResult() {
    ['verdict', 'requiredMemory', 'headroom', 'maxConcurrency'].forEach(function (k) { setText(el[k], '\u2014'); });
    el.verdict.className = 'verdict';
    el.verdict.removeAttribute('data-verdict');
    setText(el.budget, '');
    el.breakdownBody.replaceChildren();
    el.warnings.replaceChildren();
    el.assumptions.replaceChildren();
  }

  function listItems(list, texts) {
    list.replaceChildren();
    texts.forEach(function (t) {
      var li = document.createElement('li');
      li.textContent = t;
      list.appendChild(li);
    });
  }

  function cell(row, text, className) {
    var td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function show(r) {
    var worst = r.devices.reduce(function (a, d) { return !a || d.required_bytes > a.required_bytes ? d : a; }, null);
    var tightest = r.devices.reduce(function (a, d) { return !a || d.headroom_bytes < a.headroom_bytes ? d : a; }, null);

    setText(el.verdict, VERDICT_TEXT[r.verdict] || r.verdict);
    el.verdict.className = 'verdict verdict-' + String(r.verdict).replace(/[^a-z_]/g, '');
    el.verdict.setAttribute('data-verdict', r.verdict);
    setText(el.requiredMemory, worst ? gib(worst.required_bytes) : '\u2014');
    setText(el.budget, worst ? 'of a ' + gib(worst.budget_bytes) + ' budget on a ' + gib(worst.capacity_bytes) + ' card' : '');
    setText(el.headroom, tightest ? gib(tightest.headroom_bytes) : '\u2014');
    setText(el.maxConcurrency, r.limits.max_concurrency.toLocaleString('en-US') + ' requests of ' +
      positiveInt(el.context).toLocaleString('en-US') + ' tokens (KV cache holds ' +
      r.kv_cache.capacity_tokens.toLocaleString('en-US') + ' tokens)');

    var deviceName = function (i) { return i < 0 ? 'host' : (r.devices[i] ? r.devices[i].id : '#' + i); };
    var rows = r.breakdown.map(function (b) {
      var tr = document.createElement('tr');
      cell(tr, b.component);
      var label = cell(tr, b.label);
      if (b.note) label.title = b.note;
      cell(tr, deviceName(b.device), 'device');
      cell(tr, (b.bytes / GIB).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }), 'num');
      cell(tr, b.formula, 'formula');
      cell(tr, b.substituted, 'formula');
      return tr;
    });
    el.breakdownBody.replaceChildren.apply(el.breakdownBody, rows);
    listItems(el.warnings, r.warnings || []);
    listItems(el.assumptions, r.assumptions || []);
  }

  function update() {
    if (!api) return;
    try {
      var r = api.estimate(request());
      el.error.hidden = true;
      setText(el.error, '');
      show(r);
    } catch (e) {
      clearResult();
      setText(el.error, (e.field ? e.field + ': ' : '') + e.message);
      el.error.hidden = false;
    }
  }

  function start() {
    el.form = $('setup');
    el.model = $('model');
    el.gpu = $('gpu');
    el.gpuCount = $('gpu-count');
    el.runtime = $('runtime');
    el.weights = $('weights');
    el.context = $('context');
    el.concurrency = $('concurrency');
    el.kvDtype = $('kv-dtype');
    el.status = $('status');
    el.error = $('error');
    el.verdict = $('verdict');
    el.requiredMemory = $('required-memory');
    el.budget = $('budget');
    el.headroom = $('headroom');
    el.maxConcurrency = $('max-concurrency');
    el.breakdownBody = $('breakdown').tBodies[0];
    el.warnings = $('warnings');
    el.assumptions = $('assumptions');

    el.form.addEventListener('submit', function (e) { e.preventDefault(); });

    if (typeof FitMyGPU === 'undefined') {
      setText(el.status, 'The estimator (fitmygpu.js) did not load.');
      return;
    }
    FitMyGPU.ready().then(function (loaded) {
      api = loaded;
      fillModels(api.models());
      fillGpus(api.gpus());
      fillWeights();
      el.model.disabled = false;
      el.gpu.disabled = false;
      el.model.addEventListener('change', function () { fillWeights(); update(); });
      el.runtime.addEventListener('change', function () { fillWeights(); update(); });
      [el.gpu, el.weights, el.kvDtype].forEach(function (s) { s.addEventListener('change', update); });
      [el.gpuCount, el.context, el.concurrency].forEach(function (i) { i.addEventListener('input', update); });
      setText(el.status, 'Estimator ' + api.version + ' ready.');
      document.documentElement.setAttribute('data-ready', 'true');
      update();
    }, function (e) {
      setText(el.status, 'The estimator could not start: ' + (e && e.message ? e.message : e));
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
