// The model index: filters the static table (search, family, company, size, architecture, license) and, once
// a GPU is chosen, asks the estimator which published checkpoints of each shown model fit. Estimates run in
// short slices between frames, nearest rows first, so typing and scrolling stay responsive. Nothing about
// models or engines is computed here: each checkpoint chip carries the engine that loads its format (written by
// the generator from the estimator's schema), and which engines run on which vendor's hardware is the schema's
// (api.schema()). Text from data is set with textContent.
(function () {
  'use strict';

  var GIB = 1073741824;
  var SLICE_MS = 12;  // work per slice before yielding to the browser
  var VERDICT_WORD = { fits: 'fits', tight: 'tight', does_not_fit: 'no', skipped: 'n/a', pending: '\u2026' };

  var api = null;
  var schema = null;       // the estimator's engine registry, read once it is loaded
  var rows = [];
  var el = {};
  var cache = {};          // "gpu|count|context|model|format" → {verdict, required, budget} or {error}
  var generation = 0;      // bumps when the fit settings change; stale work stops
  var queue = [];
  var running = false;
  var searchHits = null;   // ids api.search ranks for the query, or null for no query

  function $(id) { return document.getElementById(id); }

  function gib(bytes) {
    return (bytes / GIB).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + ' GiB';
  }

  function settings() {
    var gpuOption = el.gpu.options[el.gpu.selectedIndex];
    return {
      gpu: el.gpu.value,
      vendor: gpuOption ? gpuOption.getAttribute('data-vendor') || '' : '',
      gpuName: gpuOption ? gpuOption.textContent : '',
      count: Number(el.count.value) || 1,
      context: Number(el.context.value) || 4096
    };
  }

  function runtimeEntry(id) {
    for (var i = 0; i < schema.runtimes.length; i++) if (schema.runtimes[i].id === id) return schema.runtimes[i];
    return null;
  }
  function runsOn(r, vendor) { return !vendor || r.vendors.indexOf(vendor.toLowerCase()) >= 0; }

  /**
   * The engine a checkpoint is checked with on the chosen hardware: the chip's engine (the one that loads its
   * format natively) where it runs on the GPU's vendor, else the first engine of the registry that runs there and
   * converts the format on load (it lists the format without loading its family, as MLX does with BF16 and FP16).
   */
  function plan(chip, s) {
    var format = chip.getAttribute('data-format');
    var family = chip.getAttribute('data-family');
    var own = runtimeEntry(chip.getAttribute('data-runtime'));
    if (own && runsOn(own, s.vendor)) return { runtime: own.id };
    var other = schema.runtimes.filter(function (r) {
      return runsOn(r, s.vendor) && r.formats.indexOf(format) >= 0 && r.loads.indexOf(family) < 0;
    })[0];
    if (other) return { runtime: other.id };
    return { skip: 'no engine in FitMyGPU that runs on ' + s.vendor + ' hardware loads this format' + (own ? ' (' + own.name + ' does not run there)' : '') };
  }

  function key(s, id, format) { return [s.gpu, s.count, s.context, id, format].join('|'); }

  function evaluate(s, id, chip) {
    var format = chip.getAttribute('data-format');
    var k = key(s, id, format);
    if (cache[k]) return cache[k];
    var p = plan(chip, s);
    var out;
    if (p.skip) {
      out = { verdict: 'skipped', note: p.skip };
    } else {
      var request = { model: id, weights: format, runtime: p.runtime, gpu: s.gpu, gpu_count: s.count, context: s.context, concurrency: 1 };
      try {
        var r = api.estimate(request);
        var worst = r.devices.reduce(function (a, d) { return !a || d.required_bytes > a.required_bytes ? d : a; }, null);
        out = { verdict: r.verdict, runtime: runtimeEntry(p.runtime).name, required: worst.required_bytes, budget: worst.budget_bytes };
      } catch (e) {
        out = { verdict: 'skipped', note: (e.field ? e.field + ': ' : '') + e.message };
      }
    }
    cache[k] = out;
    return out;
  }

  // ---- rows ----

  function readRows() {
    rows = Array.prototype.map.call(document.querySelectorAll('[data-testid="model-table"] tbody tr'), function (tr) {
      return {
        tr: tr,
        id: tr.getAttribute('data-id'),
        family: tr.getAttribute('data-family'),
        company: tr.getAttribute('data-company'),
        size: tr.getAttribute('data-size'),
        cls: tr.getAttribute('data-class'),
        license: tr.getAttribute('data-license'),
        search: tr.getAttribute('data-search') || '',
        chips: Array.prototype.slice.call(tr.querySelectorAll('.fmt')),
        fit: null   // 'fits' | 'none' | null (not known)
      };
    });
  }

  function matchesSearch(row, query) {
    if (!query) return true;
    if (searchHits) return searchHits.has(row.id);
    return query.toLowerCase().split(/\s+/).every(function (word) { return row.search.indexOf(word) >= 0; });
  }

  function matchesFilters(row) {
    return matchesSearch(row, el.search.value.trim()) &&
      (!el.family.value || row.family === el.family.value) &&
      (!el.company.value || row.company === el.company.value) &&
      (!el.size.value || row.size === el.size.value) &&
      (!el.cls.value || row.cls === el.cls.value) &&
      (!el.license.value || row.license === el.license.value);
  }

  function resetChips(row) {
    row.fit = null;
    row.tr.removeAttribute('data-fit');
    row.chips.forEach(function (chip) {
      chip.removeAttribute('data-verdict');
      chip.removeAttribute('title');
      chip.querySelector('.fmt-verdict').textContent = '';
    });
  }

  function showRow(row, s) {
    var known = 0;
    var fits = false;
    row.chips.forEach(function (chip) {
      var format = chip.getAttribute('data-format');
      var res = cache[key(s, row.id, format)];
      var verdict = res ? res.verdict : 'pending';
      chip.setAttribute('data-verdict', verdict);
      chip.querySelector('.fmt-verdict').textContent = VERDICT_WORD[verdict] || verdict;
      if (res) {
        known += 1;
        if (verdict === 'fits' || verdict === 'tight') fits = true;
        chip.title = res.note ? res.note : (verdict === 'fits' ? 'Fits' : verdict === 'tight' ? 'Tight fit' : 'Does not fit') +
          ': needs ' + gib(res.required) + ' of a ' + gib(res.budget) + ' budget per card (' + res.runtime + ')';
      } else {
        chip.title = 'Checking\u2026';
      }
    });
    row.fit = fits ? 'fits' : known === row.chips.length ? 'none' : null;
    if (row.fit) row.tr.setAttribute('data-fit', row.fit); else row.tr.removeAttribute('data-fit');
  }

  // ---- applying filters and the fit check ----

  function apply() {
    var s = settings();
    var onlyFits = el.onlyFits.checked && Boolean(s.gpu);
    var shown = 0;
    var matching = [];
    rows.forEach(function (row) {
      var match = matchesFilters(row);
      if (match) matching.push(row);
      var visible = match && !(onlyFits && row.fit === 'none');
      row.tr.hidden = !visible;
      if (visible) shown += 1;
    });
    el.empty.hidden = shown > 0;
    if (s.gpu) schedule(matching, s);
    status(shown, matching, s);
    saveState();
  }

  function status(shown, matching, s) {
    var total = rows.length;
    var text;
    if (!s.gpu) {
      text = shown === total ? 'Showing all ' + total + ' models.' : 'Showing ' + shown + ' of ' + total + ' models.';
      el.status.setAttribute('data-state', 'idle');
    } else {
      var checked = matching.filter(function (r) { return r.fit !== null; }).length;
      var fitting = matching.filter(function (r) { return r.fit === 'fits'; }).length;
      var setup = s.count + ' \u00d7 ' + s.gpuName + ' at ' + Number(s.context).toLocaleString('en-US') + ' tokens';
      if (!api) {
        text = 'Loading the estimator\u2026';
        el.status.setAttribute('data-state', 'loading');
      } else if (checked < matching.length) {
        text = 'Checking ' + checked + ' of ' + matching.length + ' models on ' + setup + '\u2026';
        el.status.setAttribute('data-state', 'checking');
      } else {
        text = fitting + ' of ' + matching.length + ' models have a published checkpoint that fits on ' + setup + '.' +
          (shown !== matching.length ? ' Showing ' + shown + '.' : '');
        el.status.setAttribute('data-state', 'done');
      }
    }
    el.status.textContent = text;
  }

  /** Queues the fit checks of the matching rows: the ones on screen first, then the rest in table order. */
  function schedule(matching, s) {
    if (!api) return;
    var viewTop = 0;
    var viewBottom = window.innerHeight || document.documentElement.clientHeight;
    var onScreen = [];
    var rest = [];
    matching.forEach(function (row) {
      var box = row.tr.getBoundingClientRect();
      var near = !row.tr.hidden && box.bottom >= viewTop && box.top <= viewBottom;
      row.chips.forEach(function (chip) {
        var task = { row: row, chip: chip, format: chip.getAttribute('data-format') };
        if (!cache[key(s, row.id, task.format)]) (near ? onScreen : rest).push(task);
      });
      showRow(row, s);
    });
    queue = onScreen.concat(rest);
    if (!running && queue.length) {
      running = true;
      yieldThen(work.bind(null, generation));
    }
  }

  var channel = typeof MessageChannel === 'function' ? new MessageChannel() : null;
  var pending = [];
  if (channel) channel.port1.onmessage = function () { var f = pending.shift(); if (f) f(); };
  function yieldThen(f) {
    if (channel) { pending.push(f); channel.port2.postMessage(0); } else setTimeout(f, 0);
  }

  function work(gen) {
    if (gen !== generation) return;  // settings changed: settingsChanged() already reset the queue and the flag
    var s = settings();
    var start = performance.now();
    var touched = [];
    while (queue.length && performance.now() - start < SLICE_MS) {
      var task = queue.shift();
      evaluate(s, task.row.id, task.chip);
      if (touched.indexOf(task.row) < 0) touched.push(task.row);
    }
    touched.forEach(function (row) { showRow(row, s); });
    if (queue.length) {
      if (el.onlyFits.checked) hideNonFitting(touched);
      updateStatusOnly();
      yieldThen(work.bind(null, gen));
    } else {
      running = false;
      apply();
    }
  }

  function hideNonFitting(list) {
    list.forEach(function (row) { if (row.fit === 'none') row.tr.hidden = true; });
  }

  function updateStatusOnly() {
    var s = settings();
    var matching = rows.filter(matchesFilters);
    var shown = rows.filter(function (r) { return !r.tr.hidden; }).length;
    status(shown, matching, s);
  }

  function settingsChanged() {
    generation += 1;
    running = false;
    queue = [];
    var s = settings();
    el.onlyFits.disabled = !s.gpu;
    el.fitHead.textContent = s.gpu ? 'on ' + s.count + ' \u00d7 ' + s.gpuName + ', ' + Number(s.context).toLocaleString('en-US') + ' tokens' : '';
    rows.forEach(function (row) { if (s.gpu) showRow(row, s); else resetChips(row); });
    apply();
  }

  function searchChanged() {
    var q = el.search.value.trim();
    searchHits = null;
    if (q && api) {
      try { searchHits = new Set(api.search(q, 'models')); } catch (e) { searchHits = null; }
    }
    apply();
  }

  // ---- state in the address (#gpu=rtx-4090&context=8192...), so a filtered view can be shared ----

  var FIELDS = ['q', 'family', 'company', 'size', 'arch', 'license', 'gpu', 'gpu_count', 'context', 'only_fits'];

  function controlFor(name) { return el.form.elements[name]; }

  function saveState() {
    var parts = [];
    FIELDS.forEach(function (name) {
      var c = controlFor(name);
      if (!c) return;
      var v = c.type === 'checkbox' ? (c.checked ? '1' : '') : c.value;
      var initial = c.type === 'checkbox' ? '' : c.getAttribute('data-initial');
      if (v && v !== initial) parts.push(encodeURIComponent(name) + '=' + encodeURIComponent(v));
    });
    var hash = parts.length ? '#' + parts.join('&') : '';
    if (hash === location.hash || (!hash && !location.hash)) return;
    try { history.replaceState(null, '', hash || location.pathname + location.search); } catch (e) { /* file:// in some browsers */ }
  }

  function loadState() {
    if (!location.hash) return;
    location.hash.slice(1).split('&').forEach(function (pair) {
      var i = pair.indexOf('=');
      if (i < 0) return;
      var name = decodeURIComponent(pair.slice(0, i));
      var value = decodeURIComponent(pair.slice(i + 1));
      var c = FIELDS.indexOf(name) >= 0 ? controlFor(name) : null;
      if (!c) return;
      if (c.type === 'checkbox') c.checked = value === '1';
      else if (c.tagName === 'SELECT') { if (Array.prototype.some.call(c.options, function (o) { return o.value === value; })) c.value = value; }
      else c.value = value;
    });
  }

  function start() {
    el.form = $('model-filters');
    el.search = $('filter-search');
    el.family = $('filter-family');
    el.company = $('filter-company');
    el.size = $('filter-size');
    el.cls = $('filter-class');
    el.license = $('filter-license');
    el.gpu = $('fit-gpu');
    el.count = $('fit-count');
    el.context = $('fit-context');
    el.onlyFits = $('fit-only');
    el.status = $('filter-status');
    el.empty = $('empty-message');
    el.fitHead = $('fit-head');
    if (!el.form) return;
    readRows();
    Array.prototype.forEach.call(el.form.elements, function (c) { if (c.name && c.type !== 'checkbox') c.setAttribute('data-initial', c.value); });
    loadState();

    el.form.addEventListener('submit', function (e) { e.preventDefault(); });
    el.search.addEventListener('input', searchChanged);
    [el.family, el.company, el.size, el.cls, el.license, el.onlyFits].forEach(function (c) { c.addEventListener('change', apply); });
    [el.gpu, el.count, el.context].forEach(function (c) { c.addEventListener('change', settingsChanged); });
    el.form.addEventListener('reset', function () { setTimeout(function () { searchChanged(); settingsChanged(); }, 0); });

    el.onlyFits.disabled = !el.gpu.value;
    apply();

    if (typeof FitMyGPU === 'undefined') {
      el.status.textContent = 'The estimator (fitmygpu.js) did not load; filters work, the fit check does not.';
      return;
    }
    FitMyGPU.ready().then(function (loaded) {
      schema = loaded.schema();
      api = loaded;
      document.documentElement.setAttribute('data-ready', 'true');
      searchChanged();
      settingsChanged();
    }, function (e) {
      el.status.textContent = 'The estimator could not start: ' + (e && e.message ? e.message : e);
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
