// The engine knob controls: the runtime's memory-share knob beside the runtime menu and the rest under "Engine
// settings", built from page.knobs (the estimator's schema) for the chosen runtime and model: labels, help, ranges
// and flags are the schema's. Each control writes its knob into the store; an empty control leaves the knob unset
// and shows, in grey, the default the estimator reports for it (api.defaults), so the placeholders never disagree
// with the core.
(function (page) {
  'use strict';

  var K = page.knobs;
  var D = page.dom;

  var TYPING_MS = 150;  // number and text fields wait for typing to pause

  function create(opts) {
    var api = opts.api;
    var store = opts.store;
    var setup = store.setup;
    var onChange = opts.onChange;
    var el = D.elements({ mainKnobs: 'main-knobs', advanced: 'advanced', advancedKnobs: 'advanced-knobs', advancedEngine: 'advanced-engine' });

    // The defaults the estimator applies to unset knobs, resolved for the chosen runtime and GPUs (vLLM's batch
    // limits depend on the GPU's memory).
    function resolvedDefaults() {
      if (!api.defaults) return {};
      var req = store.knobDefaultsRequest();
      var key = JSON.stringify([req.runtime, req.gpu, req.device, req.gpu_count, req.model]);
      return store.remember('defaults', key, function () {
        try {
          return api.defaults(req).engine || {};
        } catch (e) {
          return {};  // an invalid request: the estimate shows the error; keep the descriptive placeholders
        }
      });
    }
    function defaultText(name) { return K.resolvedText(name, setup.runtime, resolvedDefaults()[name]); }

    // Draft models offered for speculative decoding: smaller models of the same maker (a draft needs the target's
    // tokenizer; the estimator warns when the vocabularies differ).
    function draftCandidates() {
      var target = store.model();
      if (!target) return [];
      var size = function (m) { return store.params(m).total; };
      return store.catalog.models.filter(function (m) {
        return m.id !== target.id && m.company === target.company && size(m) < size(target) * 0.5;
      }).sort(function (a, b) { return size(a) - size(b); });
    }

    function control(name) {
      var spec = K.KNOBS[name];
      var id = 'knob-' + name.replace(/_/g, '-');
      // Numbers sit two to a row; selects, text and long default texts take the whole row.
      var narrow = (spec.type === 'int' || spec.type === 'fraction') && K.knobPlaceholder(name, setup.runtime).length <= 10;
      var wrap = D.make('div', 'field' + (narrow ? ' field-small' : ''));
      var label = D.make('label');
      label.htmlFor = id;
      label.appendChild(document.createTextNode(K.knobLabel(name, setup.runtime) + ' '));
      var code = D.make('code', 'knob-name', name);
      var flag = K.knobFlag(name, setup.runtime);
      if (flag) code.title = 'Engine setting: ' + flag;
      label.appendChild(code);
      wrap.appendChild(label);
      var input;
      var value = setup.engine[name];
      if (spec.type === 'draft') {
        input = document.createElement('select');
        input.appendChild(D.option('', 'none'));
        input.appendChild(D.option('mtp', 'the model\u2019s MTP layers'));
        draftCandidates().forEach(function (m) { input.appendChild(D.option(m.id, 'draft: ' + m.name)); });
        if (value !== undefined && !input.querySelector('option[value="' + String(value).replace(/[^a-z0-9._-]/gi, '') + '"]')) {
          input.appendChild(D.option(String(value), 'draft: ' + String(value)));
        }
        input.value = value === undefined ? '' : String(value);
      } else if (spec.type === 'bool' || spec.type === 'tristate') {
        input = document.createElement('select');
        input.appendChild(D.option('', 'default (' + defaultText(name) + ')'));
        if (spec.type === 'tristate') input.appendChild(D.option('auto', 'auto'));
        input.appendChild(D.option('true', 'on'));
        input.appendChild(D.option('false', 'off'));
        input.value = value === undefined ? '' : String(value);
      } else {
        input = document.createElement('input');
        input.type = spec.type === 'text' || spec.type === 'list' ? 'text' : 'number';
        if (spec.type !== 'text' && spec.type !== 'list') {
          input.inputMode = spec.type === 'fraction' ? 'decimal' : 'numeric';
          // The schema's range (a fraction's bounds are exclusive where it says so; the estimator judges that).
          if (spec.min !== undefined) input.min = String(spec.min);
          if (spec.max !== undefined) input.max = String(spec.max);
          input.step = spec.step || 'any';
        } else {
          input.spellcheck = false;
          input.autocomplete = 'off';
          if (spec.pattern) input.pattern = spec.pattern;  // the schema's shape for the value (the engine version)
        }
        input.placeholder = defaultText(name);
        input.value = value === undefined ? '' : String(value);
      }
      input.id = id;
      input.setAttribute('data-knob', name);
      input.setAttribute('data-testid', id);
      var help = D.make('p', 'hint', spec.help);
      help.id = id + '-help';
      input.setAttribute('aria-describedby', help.id);
      wrap.appendChild(input);
      wrap.appendChild(help);
      input.addEventListener(input.tagName === 'SELECT' ? 'change' : 'input', function () {
        store.setEngine(name, read(input));
        onChange(input.tagName === 'SELECT' ? 0 : TYPING_MS);
      });
      return wrap;
    }

    // A control's value as the request takes it; undefined when empty.
    function read(input) {
      var spec = K.KNOBS[input.getAttribute('data-knob')];
      var raw = input.value.trim();
      if (raw === '') return undefined;
      if (spec.type === 'bool') return raw === 'true';
      if (spec.type === 'tristate') return raw === 'auto' ? 'auto' : raw === 'true';
      if (spec.type === 'text' || spec.type === 'draft') return raw;
      // Passed on as numbers; the estimator names the entry that is not a valid proportion.
      if (spec.type === 'list') return raw.split(/[\s,]+/).filter(function (t) { return t !== ''; }).map(Number);
      // Passed on as typed: the estimator says what is wrong with 1.5 layers or a utilization of 2.
      return Number(raw);
    }

    // Builds the controls the runtime shows for the model.
    function fill() {
      var shown = K.knobsFor(setup.runtime, store.model(), store.params(store.model()));
      D.fill(el.mainKnobs, shown.main.map(control));
      D.fill(el.advancedKnobs, shown.advanced.map(control));
      var changed = shown.advanced.filter(function (n) { return setup.engine[n] !== undefined; }).length;
      D.setText(el.advancedEngine, '\u2014 ' + store.runtimeName() + (changed ? ' (' + changed + ' changed)' : ''));
      el.advanced.hidden = shown.advanced.length === 0;
    }

    // The GPU or the model changed: the defaults shown in empty controls follow.
    function refreshDefaults() {
      document.querySelectorAll('[data-knob]').forEach(function (input) {
        var name = input.getAttribute('data-knob');
        var spec = K.KNOBS[name];
        if (!spec) return;
        if (input.tagName === 'SELECT' && (spec.type === 'bool' || spec.type === 'tristate')) {
          var first = input.querySelector('option[value=""]');
          if (first) first.textContent = 'default (' + defaultText(name) + ')';
        } else if (input.tagName === 'INPUT') {
          input.placeholder = defaultText(name);
        }
      });
    }

    return { fill: fill, refreshDefaults: refreshDefaults };
  }

  page.knobControls = { create: create };
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
