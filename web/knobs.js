// The form's vocabulary: runtimes, the engine knobs each runtime shows, KV cache types, checkpoint formats and
// card counts, all read from the estimator's engine registry (api.schema()) once at start-up: app.js calls
// init(schema) after FitMyGPU.ready() and before the form is built. Nothing here lists a runtime, a format, a
// knob's range, default, label or help, or a card count; this file only turns the schema into what the form's
// scripts ask for, plus presentation (input steps, menu group titles).
//
// Empty knob fields show the defaults the core reports for the chosen runtime and GPUs (api.defaults); before
// that, and for knobs whose default depends on the setup, the placeholder is the schema's default (or its
// default_text, the core's own description of a setup-dependent default).
(function (page) {
  'use strict';

  // ---- presentation only ----

  // The step of a number input, by knob type.
  var STEPS = { fraction: '0.01', int: '1' };

  // The checkpoint menu's group titles, by format family: [published files, files made from any checkpoint].
  var GROUP_TITLES = {
    gguf: ['Published GGUF files', 'Other GGUF file types (converted)'],
    mlx: ['Published for this model', 'MLX conversions'],
    safetensors: ['Published checkpoints'],
  };
  // Families whose files anyone makes from a model's official checkpoint (llama.cpp's converter and quantizer,
  // mlx_lm.convert), so every type of them is offered; other formats are offered only where they are published.
  var CONVERTED_FAMILIES = ['gguf', 'mlx'];
  var GGUF_PREFIX = 'gguf:';  // the estimator's GGUF format ids: "gguf:" and the file type

  // ---- filled by init(schema) ----

  var schema = null;
  var RUNTIMES = [];        // the schema's runtime entries, in registry order ({id, name, formats, knobs, ...})
  var KNOBS = {};           // knob name → its type, range and help (the same for every runtime that shows it)
  var RUNTIME_KNOBS = {};   // runtime id → { main: [names], advanced: [names], entries: {name: the schema's entry} }
  var byId = {};
  var formatsById = {};     // format id → {id, name, family}

  function init(s) {
    if (!s || !Array.isArray(s.runtimes) || !s.runtimes.length) throw new Error('knobs: the estimator sent no engine registry');
    schema = s;
    RUNTIMES.length = 0;
    Object.keys(KNOBS).forEach(function (k) { delete KNOBS[k]; });
    Object.keys(RUNTIME_KNOBS).forEach(function (k) { delete RUNTIME_KNOBS[k]; });
    byId = {};
    formatsById = {};
    (s.formats || []).forEach(function (f) { formatsById[f.id] = f; });
    s.runtimes.forEach(function (r) {
      RUNTIMES.push(r);
      byId[r.id] = r;
      var spec = { main: [], advanced: [], entries: {} };
      (r.knobs || []).forEach(function (k) {
        spec.entries[k.name] = k;
        spec[k.group === 'main' ? 'main' : 'advanced'].push(k.name);
        if (!KNOBS[k.name]) {
          KNOBS[k.name] = {
            name: k.name, type: k.type, aliases: k.aliases || [], label: k.label, help: k.help, shown_for: k.shown_for || null,
            min: k.min, max: k.max, min_exclusive: !!k.min_exclusive, max_exclusive: !!k.max_exclusive,
            power_of_two: !!k.power_of_two, max_items: k.max_items, pattern: k.pattern || null, step: STEPS[k.type],
          };
        }
      });
      RUNTIME_KNOBS[r.id] = spec;
    });
  }

  function ready() { return schema !== null; }
  function limits() { return (schema && schema.limits) || {}; }
  function defaultRuntime() { return schema && byId[schema.default_runtime] ? schema.default_runtime : RUNTIMES[0].id; }

  // The schema's entry of a runtime; unknown ids get the default runtime's.
  function runtime(id) { return byId[id] || byId[defaultRuntime()]; }

  // A runtime id from text (an id or one of its aliases, as the estimator matches them); null if none.
  function normalized(text) { return String(text).toLowerCase().replace(/[^a-z0-9]/g, ''); }
  function findRuntime(text) {
    var t = String(text).toLowerCase();
    var n = normalized(text);
    for (var i = 0; i < RUNTIMES.length; i++) {
      var r = RUNTIMES[i];
      if (r.id === t || normalized(r.id) === n || (r.aliases || []).indexOf(n) >= 0) return r.id;
    }
    return null;
  }
  function runtimeName(id) { return byId[id] ? byId[id].name : String(id); }

  // [[id, label]] of the KV cache types the runtime accepts.
  function kvTypes(id) { return runtime(id).kv_cache_types.map(function (t) { return [t.id, t.label]; }); }

  // ---- formats ----

  function isGguf(id) { return String(id).indexOf(GGUF_PREFIX) === 0; }
  function formatFamily(id) {
    if (formatsById[id]) return formatsById[id].family;
    return isGguf(id) ? 'gguf' : '';
  }
  // The schema's display name (every format the estimator reads is in schema.formats).
  function formatName(id) { return formatsById[id] ? formatsById[id].name : String(id); }
  // Whether the runtime loads checkpoints of this format: one of its formats, or of a family it loads.
  function loadsFormat(id, format) {
    var r = runtime(id);
    return r.formats.indexOf(format) >= 0 || r.loads.indexOf(formatFamily(format)) >= 0;
  }
  function isGgufRuntime(id) { return runtime(id).loads.indexOf('gguf') >= 0; }

  // The format the estimator loads when a request names no weights, for a device of this class ('' or
  // undefined: any); '' when that is the model's official checkpoint.
  function defaultWeights(id, deviceClass) {
    var list = runtime(id).default_weights || [];
    var match = list.filter(function (d) { return deviceClass && d.device_class === deviceClass; })[0] ||
      list.filter(function (d) { return d.device_class === '*'; })[0] || list[0];
    return match || null;
  }
  function defaultFormat(id, deviceClass) {
    var d = defaultWeights(id, deviceClass);
    return d && d.weights !== 'official' ? d.weights : '';
  }

  // The card counts the estimator tries for a GPU's fewest_gpus under this runtime.
  function cardCounts(id) { return runtime(id).card_counts.slice(); }

  // The checkpoint menu for a model and runtime: [{label, items: [format ids]}]. Only checkpoints that exist:
  // the model's published formats that the runtime loads, plus every format of a family the runtime loads whose
  // files are made from any checkpoint (GGUF file types, MLX conversions), in the schema's order.
  function weightGroups(formats, id) {
    var r = runtime(id);
    var published = [];
    (formats || []).forEach(function (f) { if (published.indexOf(f) < 0 && loadsFormat(id, f)) published.push(f); });
    var converted = r.formats.filter(function (f) {
      return CONVERTED_FAMILIES.indexOf(formatFamily(f)) >= 0 && r.loads.indexOf(formatFamily(f)) >= 0 && published.indexOf(f) < 0;
    });
    var family = r.loads[0] || 'safetensors';
    var titles = GROUP_TITLES[family] || GROUP_TITLES.safetensors;
    var groups = [];
    if (published.length) groups.push({ label: titles[0], items: published });
    if (converted.length) groups.push({ label: titles[1], items: converted });
    return groups;
  }

  // ---- knobs ----

  function entry(name, id) { return (RUNTIME_KNOBS[id] || RUNTIME_KNOBS[runtime(id).id]).entries[name] || null; }

  // The knobs the runtime shows for the model, main and advanced, in the schema's order; params: the model's
  // parameter counts (store.params).
  function knobsFor(id, model, params) {
    var spec = RUNTIME_KNOBS[id] || RUNTIME_KNOBS[runtime(id).id];
    var shown = function (name) {
      var when = KNOBS[name].shown_for;
      if (when === 'vision') return !!model && !!model.modality && model.modality !== 'text';
      if (when === 'moe') return !!model && ((params && params.active > 0) || model.architecture_class === 'moe');
      return true;
    };
    return { main: spec.main.filter(shown), advanced: spec.advanced.filter(shown) };
  }

  function knobLabel(name, id) {
    var e = entry(name, id);
    return e ? e.label : KNOBS[name].label;
  }
  function knobFlag(name, id) {
    var e = entry(name, id);
    return e ? e.flag : null;
  }

  // A default value as the form writes it.
  function valueText(v) {
    if (v === null || v === undefined) return '';
    if (typeof v === 'boolean') return v ? 'on' : 'off';
    return String(v);
  }
  // The placeholder of an empty knob: the core's description of the default when it has one (a default that
  // depends on the setup), else the default itself.
  function knobPlaceholder(name, id) {
    var e = entry(name, id);
    if (!e) return '';
    return e.default_text !== null && e.default_text !== undefined ? e.default_text : valueText(e['default']);
  }
  // A default the estimator resolved for this setup (api.defaults), as the form writes it: the core's text when
  // it is the setup-independent default that text describes (-1 → "-1 (all; Ollama places them itself)").
  function resolvedText(name, id, value) {
    if (value === undefined || value === null) return knobPlaceholder(name, id);
    var e = entry(name, id);
    if (e && e.default_text && e['default'] === value) return e.default_text;
    return valueText(value);
  }

  // Whether a number is in the knob's range (the request layer checks the same; a link's values are read with it).
  function inRange(name, n) {
    var k = KNOBS[name];
    if (!k || typeof n !== 'number' || !isFinite(n)) return false;
    if (k.min !== undefined && (k.min_exclusive ? n <= k.min : n < k.min)) return false;
    if (k.max !== undefined && (k.max_exclusive ? n >= k.max : n > k.max)) return false;
    if (k.type === 'int' && Math.floor(n) !== n) return false;
    if (k.power_of_two && (n < 1 || (n & (n - 1)) !== 0)) return false;
    return true;
  }

  // A verdict id in words, as the estimator's schema labels it (the id itself when the schema has none).
  function verdictLabel(id) {
    var v = ((schema && schema.verdicts) || []).filter(function (x) { return x.id === id; })[0];
    return v ? v.label : String(id);
  }

  page.knobs = {
    init: init,
    verdictLabel: verdictLabel,
    ready: ready,
    limits: limits,
    RUNTIMES: RUNTIMES,
    KNOBS: KNOBS,
    RUNTIME_KNOBS: RUNTIME_KNOBS,
    defaultRuntime: defaultRuntime,
    runtime: runtime,
    findRuntime: findRuntime,
    runtimeName: runtimeName,
    kvTypes: kvTypes,
    weightGroups: weightGroups,
    formatName: formatName,
    formatFamily: formatFamily,
    loadsFormat: loadsFormat,
    isGgufRuntime: isGgufRuntime,
    defaultWeights: defaultWeights,
    defaultFormat: defaultFormat,
    cardCounts: cardCounts,
    knobsFor: knobsFor,
    knobEntry: entry,
    knobLabel: knobLabel,
    knobFlag: knobFlag,
    knobPlaceholder: knobPlaceholder,
    resolvedText: resolvedText,
    inRange: inRange,
  };
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
