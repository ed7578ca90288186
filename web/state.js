// The page's state, in one store:
//   setup    what the form describes (model, checkpoint, runtime, GPU, workload, engine knobs, display unit)
//   catalog  the estimator's models and GPUs, read once (at first only the starting ones, on a plain load), and the
//            model records asked for so far
//   answers  the estimator's answers now on screen (estimate, compare, quantizations, chart points)
//   memo     answers kept while their question does not change (remember)
// Every change goes through an update function: set, setEngine, setAnswer, clearAnswers, remember, forget. The other
// scripts read store.setup and ask the selectors below (request(), activeKnobs(), ...); none keeps page state of
// its own. Nothing here touches the DOM.
(function (page) {
  'use strict';

  var K = page.knobs;

  var CUSTOM = 'custom';  // the GPU menu's value for a device described by hand
  // The page's starting setup; the runtime is the estimator's default runtime (page.knobs, from its schema).
  var DEFAULTS = {
    model: 'llama-3.1-8b', weights: '', runtime: '', gpu: 'rtx-4090', gpuCount: 1,
    customMemMib: 24576, customBandwidth: '', customUnified: false,
    context: 4096, concurrency: 1, images: 0, kv: 'auto', unit: 'gib',
    hostMemMib: null,      // system RAM (host.memory_mib); null: the estimator's default for the device
    wiredMib: null,        // Apple: the GPU's wired-memory limit (host.gpu_wired_limit_mib); null: macOS's own rule
    inUseMib: null,        // memory other programs hold on each GPU (gpu_memory_in_use_mib); null: none
    runtimeChosen: false,  // false: the runtime follows the device (the estimator's rule, api.defaults)
  };

  // startingOnly: the lists hold the starting model and GPU alone until loadLists() reads the whole of them. The first
  // verdict of a plain load needs no more, and its menus stay inert until the estimator is ready (web/app.js).
  function create(api, startingOnly) {
    var catalog = { models: [], modelsById: {}, gpus: [], gpusById: {}, records: {}, partial: false };
    // The listing without derived figures: working out every model's parameter counts from its config would hold up
    // the first verdict; the catalog's published counts order the menu, and a shown model's record (record()) carries
    // the counts worked out from its config.
    function loadLists(only) {
      catalog.models = api.models(only ? { derived: false, ids: [DEFAULTS.model] } : { derived: false });
      catalog.gpus = api.gpus(only ? { ids: [DEFAULTS.gpu] } : {});
      catalog.modelsById = {};
      catalog.gpusById = {};
      catalog.models.forEach(function (m) { catalog.modelsById[m.id] = m; });
      catalog.gpus.forEach(function (g) { catalog.gpusById[g.id] = g; });
      catalog.partial = !!only;
    }
    loadLists(startingOnly);

    // The page's defaults, with the catalog's first entries standing in for a default it does not have.
    var defaults = Object.assign({}, DEFAULTS);
    defaults.runtime = K.defaultRuntime();
    if (!catalog.modelsById[defaults.model]) defaults.model = catalog.models[0].id;
    if (!catalog.gpusById[defaults.gpu]) defaults.gpu = catalog.gpus[0].id;

    var setup = Object.assign({ engine: {} }, defaults);
    var answers = { request: null, response: null, compare: null, quant: null, chart: null, speedChart: null };
    var memo = {};
    // Models read from files' headers (the Hub or this computer), by their id ("hf:ORG/NAME", "file:NAME"):
    // {config, checkpoint, weights, format, source}. pendingModel: a Hub model being read, written in the address.
    var customs = {};
    var pending = { model: '' };

    // ---- update functions ----

    // Changes setup fields: set({ runtime: 'llama.cpp' }). A new model or runtime keeps the checkpoint and the
    // KV cache type only where they are still offered (else: the default checkpoint, auto).
    function set(changes) {
      Object.keys(changes).forEach(function (name) {
        if (!(name in DEFAULTS)) throw new Error('state: no setup field ' + name);
        setup[name] = changes[name];
      });
      if ('model' in changes || 'runtime' in changes) {
        if (weightChoices().indexOf(setup.weights) < 0) setup.weights = '';
      }
      if ('runtime' in changes && !K.kvTypes(setup.runtime).some(function (t) { return t[0] === setup.kv; })) setup.kv = 'auto';
    }

    // Until a runtime is chosen, the runtime is the one the estimator picks for the model on the device (llama.cpp on
    // a consumer card, vLLM on a data-center card, MLX or llama.cpp on a Mac). `weights` (optional) is a checkpoint
    // asked for, which may decide it (a GGUF is llama.cpp's). Returns whether the runtime changed.
    function followDevice(weights) {
      if (setup.runtimeChosen) return false;
      var req = Object.assign(modelFields(weights === undefined ? setup.weights : weights), { gpu_count: setup.gpuCount });
      if (setup.gpu === CUSTOM) req.device = { memory_mib: setup.customMemMib || 1, unified_memory: !!setup.customUnified };
      else req.gpu = setup.gpu;
      if (weights) req.weights = weights;
      var runtime;
      try {
        runtime = api.defaults(req).runtime;
      } catch (e) {
        return false;  // the estimate itself will say what is wrong
      }
      if (runtime === setup.runtime) return false;
      set({ runtime: runtime });
      return true;
    }

    // Request fields → the setup: the inverse of request() for the fields a pasted command or a suggestion
    // changes. A model the catalog lacks is left as it is (the caller says so); engine knobs are merged, or
    // replace the set ones when `replaceEngine`.
    function applyRequest(fields, replaceEngine) {
      var changes = {};
      if (fields.runtime) {
        changes.runtime = fields.runtime;
        changes.runtimeChosen = true;
      }
      if (fields.model && catalog.modelsById[fields.model]) changes.model = fields.model;
      if (fields.context) changes.context = fields.context;
      if (fields.concurrency) changes.concurrency = fields.concurrency;
      if (fields.gpu_count) changes.gpuCount = fields.gpu_count;
      if ('kv_cache_dtype' in fields) changes.kv = fields.kv_cache_dtype || 'auto';
      set(changes);
      // After the model and runtime: the checkpoint, if the pair offers it.
      if ('weights' in fields) set({ weights: weightChoices().indexOf(fields.weights) >= 0 ? fields.weights : '' });
      if (replaceEngine) Object.keys(setup.engine).forEach(function (name) { delete setup.engine[name]; });
      Object.keys(fields.engine || {}).forEach(function (name) { setEngine(name, fields.engine[name]); });
    }

    // One engine knob; undefined unsets it (the engine's default applies).
    function setEngine(name, value) {
      if (value === undefined) delete setup.engine[name];
      else setup.engine[name] = value;
    }

    function setAnswer(kind, value) {
      if (!(kind in answers)) throw new Error('state: no answer ' + kind);
      answers[kind] = value;
    }
    // The result is gone (the request was rejected): nothing on screen is an answer any more.
    function clearAnswers() {
      answers.response = null;
      answers.compare = null;
      answers.quant = null;
      answers.chart = null;
      answers.speedChart = null;
    }

    // The value compute() gives, asked again only when `key` changes for this kind of answer.
    function remember(kind, key, compute) {
      if (!memo[kind] || memo[kind].key !== key) memo[kind] = { key: key, value: compute() };
      return memo[kind].value;
    }
    // Drops every kept answer and catalog record: the next use asks the estimator again (web/app.js, when the
    // estimator that is now ready is not the one the page started with).
    function forget() {
      Object.keys(memo).forEach(function (kind) { delete memo[kind]; });
      Object.keys(catalog.records).forEach(function (id) { delete catalog.records[id]; });
    }

    // ---- models read from files ----

    // A model read by inspect: `found` is {id, name, source ('hub' | 'files'), inspection, request, repo}, request
    // being {config, checkpoint, weights, runtime} as inspect built it. It joins the model menu (as the catalog's models
    // do) with its checkpoint as the one published format.
    function addCustom(found) {
      var ins = found.inspection;
      var req = found.request;
      var config = req.config;
      var text = config && config.text_config ? config.text_config : config || {};
      var format = req.weights || '';  // GGUF: gguf:<file type>; safetensors: the estimator reads it from the config
      customs[found.id] = { config: config, checkpoint: req.checkpoint || null, weights: req.weights || '', runtime: req.runtime || '', source: found.source };
      var entry = {
        id: found.id, name: found.name, family: found.source === 'hub' ? 'From the Hugging Face Hub' : 'From files on this computer',
        formats: format ? [format] : [], params_total: typeof ins.parameters === 'number' ? ins.parameters : 0,
        context_window: typeof text.max_position_embeddings === 'number' ? text.max_position_embeddings : 0,
        modality: config && config.vision_config ? 'text+vision' : 'text',
      };
      if (!catalog.modelsById[found.id]) catalog.models.push(entry);
      else catalog.models[catalog.models.indexOf(catalog.modelsById[found.id])] = entry;
      catalog.modelsById[found.id] = entry;
      var derived = { params_total: entry.params_total, layers: text.num_hidden_layers, hidden_size: text.hidden_size, attention_heads: text.num_attention_heads,
        kv_heads: text.num_key_value_heads || text.num_attention_heads, head_dim: text.head_dim || (text.hidden_size && text.num_attention_heads ? text.hidden_size / text.num_attention_heads : 0) };
      catalog.records[found.id] = { derived: derived, hf_repo: found.repo || '', checkpoints: format && found.repo ? [{ format: format, repo: found.repo, official: true }] : [] };
    }
    function custom(id) { return customs[id === undefined ? setup.model : id] || null; }

    // The request's model fields: {model} for a catalog model, {config, checkpoint} for one read from files. The
    // checkpoint's bytes describe its own format only: another checkpoint asked for is sized from the config.
    function modelFields(weights) {
      var c = custom();
      if (!c) return { model: setup.model };
      var out = { config: c.config };
      var w = weights === undefined ? setup.weights : weights;
      if (c.checkpoint && (!w || w === c.weights)) out.checkpoint = c.checkpoint;
      if (!w && c.weights) out.weights = c.weights;
      return out;
    }

    // ---- catalog ----

    // The catalog record of a model (geometry, checkpoints), asked of the estimator once.
    function record(id) {
      if (!catalog.records[id] && !customs[id]) {
        try {
          catalog.records[id] = api.model(id);
        } catch (e) {
          catalog.records[id] = { derived: null };
        }
      }
      return catalog.records[id];
    }

    // A catalog model from an id, alias or Hugging Face repo name, as the estimator resolves it; null if none.
    function findModel(text) {
      if (catalog.modelsById[text] || customs[text]) return text;
      try {
        var r = api.model(text);
        return catalog.modelsById[r.id] ? r.id : null;
      } catch (e) {
        return null;
      }
    }
    function findGpu(text) {
      if (text === CUSTOM || catalog.gpusById[text]) return text;
      var t = String(text).toLowerCase();
      for (var i = 0; i < catalog.gpus.length; i++) {
        var g = catalog.gpus[i];
        if (g.id.toLowerCase() === t || (g.aliases || []).some(function (a) { return String(a).toLowerCase() === t; })) return g.id;
      }
      return null;
    }

    // ---- selectors ----

    // A model of the menu's parameter counts {total, active} (0: unknown), for ordering and choosing among models:
    // those read from a model's files, else the catalog's published ones.
    function params(m) {
      var pub = (m && m.published_params) || {};
      return { total: (m && m.params_total) || pub.total || 0, active: (m && m.params_active) || pub.active || 0 };
    }

    function model() { return catalog.modelsById[setup.model]; }
    function gpu() { return setup.gpu === CUSTOM ? null : catalog.gpusById[setup.gpu]; }
    function isCustomGpu() { return setup.gpu === CUSTOM; }

    function runtimeName(id) { return K.runtimeName(id === undefined ? setup.runtime : id); }

    function officialFormat(id) {
      var checkpoints = record(id).checkpoints || [];
      for (var i = 0; i < checkpoints.length; i++) if (checkpoints[i].official && checkpoints[i].format) return checkpoints[i].format;
      var m = catalog.modelsById[id];
      return m && m.formats && m.formats[0] ? m.formats[0] : '';
    }
    // The class of the chosen device (a runtime's default checkpoint may depend on it); '' for a custom one.
    function deviceClass() { var g = gpu(); return g && g['class'] ? g['class'] : ''; }
    // The checkpoint the estimate is for: the chosen one, or the one the estimator loads by default.
    function format() { return setup.weights || (custom() || {}).weights || K.defaultFormat(setup.runtime, deviceClass()) || officialFormat(setup.model); }
    function defaultWeightsText() {
      var c = custom();
      if (c) return c.weights ? 'As read: ' + K.formatName(c.weights) : 'As read from the files';
      var d = K.defaultFormat(setup.runtime, deviceClass());
      if (d) return 'Default: ' + K.formatName(d);
      var f = officialFormat(setup.model);
      return 'Official checkpoint' + (f ? ' (' + K.formatName(f) + ')' : '');
    }
    // The checkpoints offered for the model on the runtime; '' is the default one.
    function weightChoices() {
      var ids = [''];
      K.weightGroups((model() || {}).formats, setup.runtime).forEach(function (g) { ids = ids.concat(g.items); });
      return ids;
    }

    function maxContext() { return (model() || {}).context_window || 0; }

    // Images are offered for models with a vision encoder; llama.cpp also needs the mmproj knob on (Ollama loads it).
    function takesImages() {
      var m = model();
      return !!(m && m.modality && m.modality.indexOf('vision') >= 0);
    }

    // The knobs the runtime shows for this model: only they are sent and written in the address.
    function activeKnobs() {
      var shown = K.knobsFor(setup.runtime, model(), params(model()));
      return shown.main.concat(shown.advanced);
    }

    // The estimator's request for the setup (README.md "The JSON API").
    function request() {
      var req = Object.assign(modelFields(), { runtime: setup.runtime });
      if (setup.weights) req.weights = setup.weights;  // (a GGUF read from files otherwise brings its own file type)
      if (setup.gpu === CUSTOM) {
        req.device = { name: 'Custom device', memory_mib: setup.customMemMib };
        if (setup.customBandwidth !== '' && setup.customBandwidth !== null) req.device.bandwidth_gbps = setup.customBandwidth;
        if (setup.customUnified) req.device.unified_memory = true;
      } else {
        req.gpu = setup.gpu;
      }
      req.gpu_count = setup.gpuCount;
      req.context = setup.context;
      req.concurrency = setup.concurrency;
      if (setup.images > 0 && takesImages()) req.images = setup.images;
      if (setup.hostMemMib || setup.wiredMib) {
        req.host = {};
        if (setup.hostMemMib) req.host.memory_mib = setup.hostMemMib;
        if (setup.wiredMib) req.host.gpu_wired_limit_mib = setup.wiredMib;
      }
      if (setup.inUseMib) req.gpu_memory_in_use_mib = setup.inUseMib;
      req.kv_cache_dtype = setup.kv;
      var engine = {};
      activeKnobs().forEach(function (name) {
        if (setup.engine[name] !== undefined) engine[name] = setup.engine[name];
      });
      if (Object.keys(engine).length) req.engine = engine;
      // Byte amounts inside the breakdown's formulas follow the page's unit.
      if (setup.unit === 'gb') req.units = 'decimal';
      return req;
    }

    // The request of the defaults the estimator applies to unset knobs (web/knob-controls.js): the setup's request
    // without its engine knobs.
    function knobDefaultsRequest() {
      var req = request();
      delete req.engine;
      return req;
    }

    return {
      setup: setup,
      catalog: catalog,
      answers: answers,
      defaults: defaults,
      set: set,
      setEngine: setEngine,
      applyRequest: applyRequest,
      followDevice: followDevice,
      setAnswer: setAnswer,
      clearAnswers: clearAnswers,
      remember: remember,
      forget: forget,
      loadLists: function () { loadLists(false); },
      record: record,
      addCustom: addCustom,
      custom: custom,
      pending: pending,
      findModel: findModel,
      findGpu: findGpu,
      model: model,
      params: params,
      gpu: gpu,
      isCustomGpu: isCustomGpu,
      runtimeName: runtimeName,
      officialFormat: officialFormat,
      format: format,
      defaultWeightsText: defaultWeightsText,
      weightChoices: weightChoices,
      maxContext: maxContext,
      takesImages: takesImages,
      activeKnobs: activeKnobs,
      request: request,
      knobDefaultsRequest: knobDefaultsRequest,
    };
  }

  page.state = { create: create, CUSTOM: CUSTOM };
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
