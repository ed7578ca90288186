// The estimate on screen: the verdict card (verdict, sentence, the four figures, facts), the phone's sticky
// summary, one memory bar per device, the breakdown table, warnings and assumptions, the selected model's facts,
// the request JSON, and the estimator's error message. Draws only what it is given: the estimator's answer and
// the store's setup.
(function (page) {
  'use strict';

  var U = page.units;
  var K = page.knobs;
  var D = page.dom;

  var MAX_BARS = 8;  // device bars drawn; identical tensor-parallel ranks beyond that are summarised
  var COMPONENTS = [  // bar and breakdown order: the KV cache last, so "required" falls inside it
    { key: 'weights', name: 'Weights' },
    { key: 'state', name: 'Recurrent state' },
    { key: 'activations', name: 'Activations' },
    { key: 'overhead', name: 'Overhead' },
    { key: 'kv_cache', name: 'KV cache' },
  ];
  var COMPONENT_NAME = {};
  COMPONENTS.forEach(function (c) { COMPONENT_NAME[c.key] = c.name; });
  var FIGURES = ['requiredMemory', 'headroom', 'maxConcurrency', 'maxContext'];
  var NOTES = ['budget', 'headroomNote', 'maxConcurrencyNote', 'maxContextNote', 'verdictSentence', 'setupLine'];

  // The device that needs the most, and the one with the least headroom.
  function worstDevice(r) {
    return r.devices.reduce(function (a, d) { return !a || d.required_bytes > a.required_bytes ? d : a; }, null);
  }
  function tightestDevice(r) {
    return r.devices.reduce(function (a, d) { return !a || d.headroom_bytes < a.headroom_bytes ? d : a; }, null);
  }

  function pct(bytes, scale) { return Math.max(0, Math.min(100, bytes / scale * 100)).toFixed(3) + '%'; }

  function fact(dl, term, value, title) {
    var div = D.make('div', 'fact');
    div.appendChild(D.make('dt', '', term));
    var dd = D.make('dd', '', value);
    if (title) dd.title = title;
    div.appendChild(dd);
    dl.appendChild(div);
  }

  function create(opts) {
    var store = opts.store;
    var setup = store.setup;
    var el = D.elements({
      result: 'result', error: 'error', live: 'live', verdictCard: 'verdict-card', verdict: 'verdict', setupLine: 'setup-line',
      verdictSentence: 'verdict-sentence', requiredScope: 'required-scope', requiredMemory: 'required-memory', budget: 'budget',
      headroomLabel: 'headroom-label', headroom: 'headroom', headroomNote: 'headroom-note', maxConcurrency: 'max-concurrency',
      maxConcurrencyNote: 'max-concurrency-note', maxContext: 'max-context', maxContextNote: 'max-context-note', facts: 'facts',
      deviceBars: 'device-bars', barLegend: 'bar-legend', notesCard: 'notes-card', warnings: 'warnings', assumptions: 'assumptions',
      breakdown: 'breakdown', breakdownUnit: 'breakdown-unit', modelFacts: 'model-facts', requestJson: 'request-json', miniVerdict: 'mini-verdict',
      suggestions: 'suggestions', suggestionList: 'suggestion-list',
    });
    var firstShown = false;

    // The request behind the numbers, for people (the JSON box) and for tools (#result[data-request]).
    function showRequest(req) {
      el.result.setAttribute('data-request', JSON.stringify(req));
      D.setText(el.requestJson, JSON.stringify(req, null, 2));
    }

    function showError(e) {
      D.setText(el.error, e.message);
      el.error.setAttribute('data-field', e.field || '');
      el.error.setAttribute('data-code', e.code || '');
      el.error.hidden = false;
    }
    function hideError() {
      el.error.hidden = true;
      D.setText(el.error, '');
    }

    function clear() {
      D.setText(el.verdict, '\u2014');
      D.setText(el.live, '');
      el.miniVerdict.hidden = true;
      el.verdict.className = 'verdict';
      el.verdict.removeAttribute('data-verdict');
      el.verdictCard.removeAttribute('data-verdict');
      FIGURES.forEach(function (k) {
        D.setText(el[k], '\u2014');
        el[k].removeAttribute('data-bytes');
        el[k].removeAttribute('data-value');
      });
      NOTES.forEach(function (k) { D.setText(el[k], ''); });
      el.facts.replaceChildren();
      el.deviceBars.replaceChildren();
      el.breakdown.tBodies[0].replaceChildren();
      el.warnings.replaceChildren();
      el.assumptions.replaceChildren();
      showSuggestions([]);
    }

    // The estimator's suggestions, one button each: its text is the estimator's reason, a click applies the change.
    function showSuggestions(list) {
      el.suggestionList.replaceChildren.apply(el.suggestionList, list.map(function (s) {
        var li = D.make('li', '');
        var button = D.make('button', 'button suggestion suggestion-' + String(s.verdict).replace(/[^a-z_]/g, ''), s.why);
        button.type = 'button';
        button.setAttribute('data-change', JSON.stringify(s.change));
        button.addEventListener('click', function () { if (opts.onSuggestion) opts.onSuggestion(s.change); });
        li.appendChild(button);
        return li;
      }));
      el.suggestions.hidden = list.length === 0;
    }

    function show(r) {
      var worst = worstDevice(r);
      var tight = tightestDevice(r);
      var m = store.model() || { name: setup.model };
      var gpuName = store.isCustomGpu() ? 'custom device' : (store.gpu() || {}).name;
      var n = r.devices.length;
      var verdictText = page.knobs.verdictLabel(r.verdict);

      D.setText(el.verdict, verdictText);
      el.verdict.className = 'verdict verdict-' + String(r.verdict).replace(/[^a-z_]/g, '');
      el.verdict.setAttribute('data-verdict', r.verdict);
      el.verdictCard.setAttribute('data-verdict', r.verdict);
      D.setText(el.setupLine, [m.name, setup.weights ? K.formatName(setup.weights) : store.defaultWeightsText().replace(/^Default: /, ''), store.runtimeName(),
        setup.gpuCount + ' \u00d7 ' + gpuName].join(' \u00b7 '));

      var where = n > 1 ? 'on the most loaded of the ' + n + ' GPUs' : 'on the GPU';
      var sentence;
      if (r.verdict === 'exceeds_context') {
        sentence = 'A context of ' + U.integer(setup.context) + ' tokens is beyond the window the model was trained for; whatever the memory, it is not counted as a fit.' +
          (r.limits.max_context > 0 ? ' The longest context that fits here is ' + U.integer(r.limits.max_context) + ' tokens.' : '');
      } else if (r.verdict === 'does_not_fit') {
        sentence = 'Needs ' + U.size(worst.required_bytes) + ' ' + where + ', but the engine\u2019s budget there is ' + U.size(worst.budget_bytes) +
          ': ' + U.size(-tight.headroom_bytes) + ' short.';
      } else {
        sentence = (r.verdict === 'tight' ? 'Fits with little to spare: needs ' : 'Needs ') + U.size(worst.required_bytes) + ' ' + where + ' of a ' +
          U.size(worst.budget_bytes) + ' budget, leaving ' + U.size(tight.headroom_bytes) + '.';
      }
      if (r.limits.max_concurrency > 0) {
        sentence += ' At ' + U.integer(setup.context) + ' tokens per request it serves up to ' + U.plural(r.limits.max_concurrency, 'request') + ' at once.';
      } else {
        sentence += ' Not even one request of ' + U.integer(setup.context) + ' tokens fits' +
          (r.limits.max_context > 0 ? '; with ' + U.plural(setup.concurrency, 'request') + ' at once the longest context that fits is ' + U.integer(r.limits.max_context) + ' tokens.' : '.');
      }
      D.setText(el.verdictSentence, sentence);
      // One short sentence for screen readers after each change, and the phone's sticky summary.
      D.setText(el.live, verdictText + '. ' + sentence);
      D.setText(el.miniVerdict, verdictText + ' \u00b7 needs ' + U.size(worst.required_bytes) + ' of ' + U.size(worst.budget_bytes) + ' \u2193');
      el.miniVerdict.className = 'mini-verdict mini-' + String(r.verdict).replace(/[^a-z_]/g, '');

      D.setText(el.requiredScope, n > 1 ? 'most loaded GPU' : 'on the GPU');
      D.setText(el.requiredMemory, U.size(worst.required_bytes));
      el.requiredMemory.setAttribute('data-bytes', String(worst.required_bytes));
      D.setText(el.budget, 'of a ' + U.size(worst.budget_bytes) + ' budget; the card has ' + U.size(worst.capacity_bytes));
      D.setText(el.headroomLabel, tight.headroom_bytes < 0 ? 'Deficit' : 'Headroom');
      D.setText(el.headroom, U.size(Math.abs(tight.headroom_bytes)));
      el.headroom.setAttribute('data-bytes', String(tight.headroom_bytes));
      el.headroom.className = 'figure' + (tight.headroom_bytes < 0 ? ' negative' : '');
      D.setText(el.headroomNote, tight.headroom_bytes < 0 ? 'more than the budget allows' + (n > 1 ? ' (on the fullest GPU)' : '') : 'left in the budget' + (n > 1 ? ' (least on any GPU)' : ''));
      D.setText(el.maxConcurrency, U.plural(r.limits.max_concurrency, 'request'));
      el.maxConcurrency.setAttribute('data-value', String(r.limits.max_concurrency));
      D.setText(el.maxConcurrencyNote, 'of ' + U.integer(setup.context) + ' tokens' +
        (r.kv_cache.capacity_tokens ? '; the KV cache holds ' + U.integer(r.kv_cache.capacity_tokens) + ' tokens' : ''));
      D.setText(el.maxContext, r.limits.max_context > 0 ? U.plural(r.limits.max_context, 'token') : 'none');
      el.maxContext.setAttribute('data-value', String(r.limits.max_context));
      D.setText(el.maxContextNote, 'per request, with ' + U.plural(setup.concurrency, 'request') + ' at once');

      showSuggestions(r.suggestions || []);
      showFacts(r);
      showBars(r);
      showBreakdown(r);
      D.listItems(el.warnings, r.warnings || []);
      D.listItems(el.assumptions, r.assumptions || []);
      el.notesCard.hidden = !(r.warnings || []).length && !(r.assumptions || []).length;
      showModelFacts();
      if (!firstShown) {
        firstShown = true;
        // For scripts/bench-page: navigation to the first verdict written into the page.
        if (performance.mark) performance.mark('fitmygpu-first-verdict');
      }
    }

    function showFacts(r) {
      el.facts.replaceChildren();
      fact(el.facts, 'KV cache per token', U.smallSize(r.kv_cache.bytes_per_token), 'All layers, all devices, at the chosen KV cache type');
      fact(el.facts, 'KV cache for this workload', U.size(r.kv_cache.required_bytes), U.integer(setup.context) + ' tokens \u00d7 ' + U.integer(setup.concurrency));
      if (r.kv_cache.capacity_tokens) fact(el.facts, 'KV cache capacity', U.plural(r.kv_cache.capacity_tokens, 'token'), 'Tokens the allocated cache holds');
      if (r.host) {
        fact(el.facts, 'System RAM needed', U.size(r.host.required_bytes) + ' of ' + U.size(r.host.capacity_bytes),
          r.host.headroom_bytes < 0 ? 'Does not fit in system RAM' : (r.host.unified ? 'Unified memory: the GPU share and host buffers together' : 'CPU layers, experts and host buffers'));
      }
      if (r.speed) {
        // A figure the estimator cannot give is null: shown as "unknown" (the reason is among the assumptions).
        var known = function (v) { return typeof v === 'number' && v > 0; };
        var rate = function (v, unit) { return known(v) ? U.decimal(v, v >= 100 ? 0 : 1) + unit : 'unknown'; };
        fact(el.facts, 'Decode speed (rough)', rate(r.speed.decode_tokens_per_s, ' tokens/s per request'),
          known(r.speed.tpot_ms) ? U.decimal(r.speed.tpot_ms, 1) + ' ms per token; see the assumptions' : 'See the assumptions');
        if (setup.concurrency > 1) fact(el.facts, 'Total decode throughput (rough)', rate(r.speed.total_decode_tokens_per_s, ' tokens/s'), 'All ' + U.integer(setup.concurrency) + ' requests together');
        fact(el.facts, 'Time to first token (rough)', known(r.speed.ttft_s) ? U.decimal(r.speed.ttft_s, r.speed.ttft_s >= 10 ? 1 : 2) + ' s' : 'unknown',
          known(r.speed.prefill_tokens_per_s) ? 'Prefill of the whole context at ' + U.integer(r.speed.prefill_tokens_per_s) + ' tokens/s' : 'See the assumptions');
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
      if (devices.length > shown.length) bars.push(D.make('p', 'hint', '\u2026and ' + (devices.length - shown.length) + ' more GPUs (see the breakdown).'));
      if (r.host && r.host.total_bytes > 0) {
        var host = { components: r.host.components, total_bytes: r.host.total_bytes };
        bars.push(deviceBar('Host memory (RAM)', host, Math.max(scale, r.host.total_bytes), legendUsed));
      }
      D.fill(el.deviceBars, bars);
      var legend = COMPONENTS.filter(function (c) { return legendUsed[c.key]; }).map(function (c) {
        var li = D.make('li');
        li.appendChild(D.make('span', 'swatch seg-' + c.key));
        li.appendChild(document.createTextNode(c.name));
        return li;
      });
      [['mark-required', 'needed for this setup'], ['mark-budget', 'engine budget'], ['mark-capacity', 'capacity']].forEach(function (mk) {
        var li = D.make('li');
        li.appendChild(D.make('span', 'swatch ' + mk[0]));
        li.appendChild(document.createTextNode(mk[1]));
        legend.push(li);
      });
      D.fill(el.barLegend, legend);
    }

    function deviceBar(title, d, scale, legendUsed) {
      var wrap = D.make('div', 'device');
      var head = D.make('div', 'device-head');
      head.appendChild(D.make('span', 'device-name', title));
      var summary = d.capacity_bytes
        ? U.size(d.required_bytes) + ' needed \u00b7 budget ' + U.size(d.budget_bytes) + ' \u00b7 capacity ' + U.size(d.capacity_bytes)
        : U.size(d.total_bytes);
      head.appendChild(D.make('span', 'device-figures', summary));
      wrap.appendChild(head);
      var bar = D.make('div', 'bar');
      var parts = [];
      COMPONENTS.forEach(function (c) {
        var bytes = (d.components || {})[c.key] || 0;
        if (bytes <= 0) return;
        legendUsed[c.key] = true;
        var seg = D.make('span', 'seg seg-' + c.key);
        seg.style.width = pct(bytes, scale);
        seg.title = c.name + ': ' + U.size(bytes);
        bar.appendChild(seg);
        parts.push(c.name + ' ' + U.size(bytes));
      });
      if (d.capacity_bytes) {
        [['mark-capacity', d.capacity_bytes, 'capacity'], ['mark-budget', d.budget_bytes, 'budget'], ['mark-required', d.required_bytes, 'needed']].forEach(function (mk) {
          var m = D.make('span', 'mark ' + mk[0]);
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
        var comp = D.make('td', 'component');
        comp.appendChild(D.make('span', 'swatch seg-' + String(b.component).replace(/[^a-z_]/g, '')));
        comp.appendChild(document.createTextNode(COMPONENT_NAME[b.component] || b.component));
        comp.setAttribute('data-label', 'Component');
        tr.appendChild(comp);
        var item = D.make('td', 'item');
        item.appendChild(D.make('span', 'item-label', b.label));
        if (b.note) item.appendChild(D.make('span', 'note', b.note));
        item.setAttribute('data-label', 'Item');
        tr.appendChild(item);
        var dev = D.make('td', 'device-cell', deviceName(b.device));
        dev.setAttribute('data-label', 'Device');
        tr.appendChild(dev);
        var size = D.make('td', 'num', U.number(b.bytes));
        size.setAttribute('data-bytes', String(b.bytes));
        size.setAttribute('data-label', U.unit().name);
        tr.appendChild(size);
        var formula = D.make('td', 'formula-cell');
        formula.appendChild(D.make('code', 'formula', b.formula));
        formula.appendChild(D.make('code', 'substituted', b.substituted));
        formula.setAttribute('data-label', 'Formula');
        tr.appendChild(formula);
        return tr;
      });
      D.fill(el.breakdown.tBodies[0], rows);
      D.setText(el.breakdownUnit, U.unit().name);
    }

    function showModelFacts() {
      var m = store.model();
      var rec = store.record(setup.model);
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

    // The sticky summary shows on narrow screens while the verdict card is out of sight.
    function wire() {
      if (!('IntersectionObserver' in window)) return;
      new IntersectionObserver(function (entries) {
        el.miniVerdict.hidden = entries[0].isIntersecting || !store.answers.response;
      }).observe(el.verdictCard);
    }

    return { show: show, clear: clear, showRequest: showRequest, showError: showError, hideError: hideError, wire: wire };
  }

  page.resultView = { create: create, worstDevice: worstDevice, tightestDevice: tightestDevice };
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
