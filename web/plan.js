// The hardware-first page (plan.html): devices, system RAM, context, concurrency and optionally a runtime in; every
// catalog model × published checkpoint × runtime that runs there out, from the estimator's plan method. Verdicts,
// limits, speeds and memory are the estimator's; this file only draws them, sorts and filters the rows, and keeps
// the setup in the address (the calculator's parameter names, so links between the pages carry it).
(function (page) {
  'use strict';

  var U = page.units;
  var S = page.urlState;
  var D = page.dom;
  var CUSTOM = 'custom';
  var TYPING_MS = 250;       // inputs redraw this long after the last keystroke
  var DEFAULT_GPU = 'rtx-4090';
  var CLASS_TITLES = { consumer: 'Consumer GPUs', workstation: 'Workstation GPUs', datacenter: 'Data-center GPUs', apple: 'Apple silicon', integrated: 'Integrated and other', accelerator: 'Accelerators' };

  function start() {
    var status = D.byId('status');
    if (typeof FitMyGPU === 'undefined' || typeof FitMyGPU.tools !== 'function') {
      D.setText(status, 'The estimator (fitmygpu.js) did not load.');
      return;
    }
    // plan is a tool method: this page asks the full module alone (FitMyGPU.tools()), never the core one.
    FitMyGPU.tools().then(function (api) { build(api); }).catch(function (err) {
      D.setText(status, 'The estimator could not start: ' + (err && err.message ? err.message : String(err)));
    });
  }

  function build(api) {
    var schema = api.schema();
    var gpus = api.gpus();
    var models = api.models();
    var limits = schema.limits;
    var verdictText = {};
    (schema.verdicts || []).forEach(function (v) { verdictText[v.id] = v.label; });
    verdictText.error = 'Cannot run';
    var VERDICT_ORDER = { fits: 0, tight: 1, does_not_fit: 2, exceeds_context: 3, error: 4 };
    var runtimeName = {};
    schema.runtimes.forEach(function (r) { runtimeName[r.id] = r.name; });
    var gpuById = {};
    gpus.forEach(function (g) { gpuById[g.id] = g; });
    var modelById = {};
    models.forEach(function (m) { modelById[m.id] = m; });

    var el = D.elements({
      gpu: 'plan-gpu', count: 'plan-count', customMem: 'plan-custom-mem', customBw: 'plan-custom-bw', customUnified: 'plan-custom-unified',
      customMemField: 'plan-custom-mem-field', customBwField: 'plan-custom-bw-field', customUnifiedField: 'plan-custom-unified-field',
      host: 'plan-host', inUse: 'plan-in-use', wired: 'plan-wired', wiredField: 'plan-wired-field', wiredHelp: 'plan-wired-help',
      context: 'plan-context', concurrency: 'plan-concurrency', runtime: 'plan-runtime', error: 'plan-error', summary: 'plan-summary',
      table: 'plan-table', windowRule: 'plan-window-rule', notices: 'notices', noticeList: 'notice-list', navCalculator: 'nav-calculator',
      fText: 'f-text', fFamily: 'f-family', fLicense: 'f-license', fArch: 'f-arch', fMinParams: 'f-min-params', fMaxParams: 'f-max-params',
      fDate: 'f-date', fSpeed: 'f-speed', fFits: 'f-fits', status: 'status',
    });

    var setup = { gpu: DEFAULT_GPU, count: 1, customMem: 24576, customBw: '', customUnified: false, hostMib: null, inUseMib: null, wiredMib: null,
      context: 8192, concurrency: 1, runtime: '', model: '', unit: 'gib' };
    var rows = [];
    var sort = { key: 'verdict', dir: 1 };

    // ---- the device menu: catalog GPUs by class, then a custom device ----
    var groups = {};
    gpus.forEach(function (g) {
      var c = g.class || 'other';
      (groups[c] = groups[c] || []).push(D.option(g.id, g.name + ' (' + U.integer(g.memory_mib / 1024) + ' GiB)'));
    });
    Object.keys(groups).forEach(function (c) { el.gpu.appendChild(D.optgroup(CLASS_TITLES[c] || c, groups[c])); });
    el.gpu.appendChild(D.option(CUSTOM, 'Custom device\u2026'));

    // ---- the address ----
    function readAddress() {
      var notices = [];
      var f = S.parse(location.search, []).fields;
      var q = S.quote;
      if (f.gpu !== undefined) {
        if (f.gpu === CUSTOM || gpuById[f.gpu]) setup.gpu = f.gpu;
        else notices.push('The link asks for the GPU ' + q(f.gpu) + ', which is not in the catalog; showing ' + gpuById[setup.gpu].name + ' instead.');
      }
      if (setup.gpu === CUSTOM) {
        var mib = S.wholeNumber(f.memory_mib, 1, limits.max_device_memory_mib);
        if (mib) setup.customMem = mib;
        else if (f.memory_mib !== undefined) notices.push('Ignored the device memory ' + q(f.memory_mib) + ': not a whole number of MiB.');
        var bw = f.bandwidth_gbps === undefined ? null : S.decimalNumber(f.bandwidth_gbps, 0, limits.max_device_bandwidth_gbps);
        if (bw !== null) setup.customBw = bw;
        setup.customUnified = f.unified_memory !== undefined && S.flag(f.unified_memory) === true;
      }
      [['gpu_count', 'count', 1, limits.max_gpus], ['context', 'context', 1, limits.max_context], ['concurrency', 'concurrency', 1, limits.max_concurrency],
        ['host_memory_mib', 'hostMib', 1, limits.max_host_memory_mib], ['gpu_wired_limit_mib', 'wiredMib', 1, limits.max_host_memory_mib],
        ['gpu_memory_in_use_mib', 'inUseMib', 1, limits.max_device_memory_mib]].forEach(function (spec) {
        if (f[spec[0]] === undefined) return;
        var n = S.wholeNumber(f[spec[0]], spec[2], spec[3]);
        if (n !== null) setup[spec[1]] = n;
        else notices.push('Ignored ' + spec[0] + ' = ' + q(f[spec[0]]) + ': not a whole number from ' + U.integer(spec[2]) + ' to ' + U.integer(spec[3]) + '.');
      });
      if (f.runtime !== undefined) {
        if (runtimeName[f.runtime]) setup.runtime = f.runtime;
        else notices.push('Unknown runtime ' + q(f.runtime) + '; showing every runtime.');
      }
      if (f.model !== undefined) {
        if (modelById[f.model]) setup.model = f.model;
        else notices.push('The link names the model ' + q(f.model) + ', which is not in the catalog.');
      }
      if (f.unit !== undefined && U.all[f.unit]) setup.unit = f.unit;
      return notices;
    }

    // The hardware part of a link, in the calculator's parameter names.
    function hardwarePairs() {
      var pairs = [['gpu', setup.gpu]];
      if (setup.gpu === CUSTOM) {
        pairs.push(['memory_mib', setup.customMem], ['bandwidth_gbps', setup.customBw]);
        if (setup.customUnified) pairs.push(['unified_memory', '1']);
      }
      pairs.push(['gpu_count', setup.count], ['context', setup.context], ['concurrency', setup.concurrency]);
      if (setup.hostMib) pairs.push(['host_memory_mib', setup.hostMib]);
      if (setup.wiredMib && isApple()) pairs.push(['gpu_wired_limit_mib', setup.wiredMib]);
      if (setup.inUseMib) pairs.push(['gpu_memory_in_use_mib', setup.inUseMib]);
      return pairs;
    }
    function unitPair() { return setup.unit !== 'gib' ? [['unit', setup.unit]] : []; }
    function writeAddress() {
      var pairs = [];
      if (setup.model) pairs.push(['model', setup.model]);
      if (setup.runtime) pairs.push(['runtime', setup.runtime]);
      S.replace(S.serialize(pairs.concat(hardwarePairs(), unitPair())));
      // The calculator link carries the setup: the model last looked at, the devices, the workload and the runtime.
      var back = setup.model ? [['model', setup.model]] : [];
      if (setup.runtime) back.push(['runtime', setup.runtime]);
      el.navCalculator.href = 'index.html?' + S.serialize(back.concat(hardwarePairs(), unitPair()));
    }
    // A row's setup in the calculator.
    function calculatorHref(r) {
      return 'index.html?' + S.serialize([['model', r.model], ['weights', r.weights], ['runtime', r.runtime]].concat(hardwarePairs(), unitPair()));
    }

    // ---- the form ----
    function isApple() {
      if (setup.gpu === CUSTOM) return false;
      var g = gpuById[setup.gpu];
      return !!g && String(g.vendor).toLowerCase() === 'apple';
    }
    function fillRuntimes() {
      var vendor = setup.gpu === CUSTOM ? '' : String((gpuById[setup.gpu] || {}).vendor || '').toLowerCase();
      var options = [D.option('', 'Every runtime that runs here')];
      schema.runtimes.forEach(function (r) {
        if (!vendor || (r.vendors || []).indexOf(vendor) >= 0) options.push(D.option(r.id, r.name));
      });
      D.fill(el.runtime, options);
      if (!options.some(function (o) { return o.value === setup.runtime; })) setup.runtime = '';
      el.runtime.value = setup.runtime;
    }
    function fillForm() {
      el.gpu.value = setup.gpu;
      el.count.value = setup.count;
      el.count.max = limits.max_gpus;
      el.customMem.value = setup.customMem;
      el.customBw.value = setup.customBw;
      el.customUnified.checked = setup.customUnified;
      el.host.value = setup.hostMib ? Math.round(setup.hostMib / 1024) : '';
      el.wired.value = setup.wiredMib || '';
      el.inUse.value = setup.inUseMib || '';
      el.context.value = setup.context;
      el.context.max = limits.max_context;
      el.concurrency.value = setup.concurrency;
      el.concurrency.max = limits.max_concurrency;
      document.querySelector('#unit-' + setup.unit).checked = true;
      showDeviceFields();
      fillRuntimes();
    }
    function showDeviceFields() {
      var custom = setup.gpu === CUSTOM;
      el.customMemField.hidden = el.customBwField.hidden = el.customUnifiedField.hidden = !custom;
      el.wiredField.hidden = !isApple();
      if (isApple()) {
        // macOS's default and the most it can be: the estimator's figures for this chip.
        var g = gpuById[setup.gpu];
        el.wired.placeholder = 'macOS default: ' + U.integer(g.default_wired_limit_mib);
        el.wired.max = g.memory_mib;
        D.setText(el.wiredHelp, 'What the GPU may use of the ' + U.integer(g.memory_mib) + ' MiB of unified memory (sudo sysctl iogpu.wired_limit_mb=\u2026); empty: macOS\u2019s default of ' +
          U.integer(g.default_wired_limit_mib) + ' MiB.');
      }
    }
    function readForm() {
      setup.gpu = el.gpu.value;
      setup.count = Number(el.count.value);
      setup.customMem = Number(el.customMem.value);
      setup.customBw = el.customBw.value === '' ? '' : Number(el.customBw.value);
      setup.customUnified = el.customUnified.checked;
      setup.hostMib = el.host.value === '' ? null : Math.round(Number(el.host.value) * 1024);
      setup.wiredMib = el.wired.value === '' ? null : Number(el.wired.value);
      setup.inUseMib = el.inUse.value === '' || Number(el.inUse.value) === 0 ? null : Number(el.inUse.value);
      setup.context = Number(el.context.value);
      setup.concurrency = Number(el.concurrency.value);
      setup.runtime = el.runtime.value;
    }
    function request() {
      var req = {};
      if (setup.gpu === CUSTOM) {
        req.device = { name: 'Custom device', memory_mib: setup.customMem };
        if (setup.customBw !== '' && setup.customBw !== null) req.device.bandwidth_gbps = setup.customBw;
        if (setup.customUnified) req.device.unified_memory = true;
      } else req.gpu = setup.gpu;
      req.gpu_count = setup.count;
      req.context = setup.context;
      req.concurrency = setup.concurrency;
      if (setup.runtime) req.runtime = setup.runtime;
      if (setup.inUseMib) req.gpu_memory_in_use_mib = setup.inUseMib;
      if (setup.hostMib || (setup.wiredMib && isApple())) {
        req.host = {};
        if (setup.hostMib) req.host.memory_mib = setup.hostMib;
        if (setup.wiredMib && isApple()) req.host.gpu_wired_limit_mib = setup.wiredMib;
      }
      return req;
    }

    // ---- the rows ----
    function paramsB(r) { return (r.params_total || 0) / 1e9; }
    var COLUMNS = [
      { key: 'name', label: 'Model', text: true, value: function (r) { return r.name; } },
      { key: 'weights', label: 'Checkpoint', text: true, value: function (r) { return r.weights; } },
      { key: 'runtime', label: 'Runtime', text: true, value: function (r) { return r.runtime_name; } },
      { key: 'verdict', label: 'Verdict', value: function (r) { return VERDICT_ORDER[r.verdict] !== undefined ? VERDICT_ORDER[r.verdict] : 9; } },
      { key: 'max_context', label: 'Max context', num: true, title: 'The longest context that fits at this concurrency (tokens), never beyond the model\u2019s window', value: function (r) { return r.max_context || 0; } },
      { key: 'max_concurrency', label: 'Max concurrency', num: true, title: 'The most requests of this context that fit at once', value: function (r) { return r.max_concurrency || 0; } },
      { key: 'speed', label: 'Decode tokens/s', num: true, title: 'Decode speed of one request at this concurrency (tokens per second)', value: function (r) { return r.decode_tokens_per_s || 0; } },
      { key: 'memory', label: 'Memory', num: true, title: 'What the most loaded device needs, of what its engine may use', value: function (r) { return r.memory ? r.memory.required_bytes : 0; } },
      { key: 'params', label: 'Parameters', num: true, value: paramsB },
      { key: 'released', label: 'Released', text: true, value: function (r) { return r.release_date || ''; } },
    ];

    function cell(col, r) {
      var td = D.make(col.key === 'name' ? 'th' : 'td');
      td.setAttribute('data-label', col.label);
      if (col.num) td.className = 'num';
      switch (col.key) {
        case 'name':
          td.scope = 'row';
          var a = D.make('a', 'row-link', r.name);
          a.href = calculatorHref(r);
          a.title = 'Open ' + r.name + ' (' + r.weights + ', ' + r.runtime_name + ') in the calculator with this hardware';
          a.setAttribute('data-testid', 'row-link');
          td.appendChild(a);
          break;
        case 'weights': td.textContent = r.weights; break;
        case 'runtime': td.textContent = r.runtime_name; break;
        case 'verdict':
          var badge = D.make('span', 'badge badge-' + String(r.verdict).replace(/[^a-z_]/g, ''), verdictText[r.verdict] || r.verdict);
          if (r.error) badge.title = r.error.message;
          else if (r.verdict === 'exceeds_context') badge.title = r.name + ' was trained for ' + U.integer(r.native_context) + ' tokens';
          td.appendChild(badge);
          break;
        case 'max_context':
          if (r.error) { td.textContent = 'unknown'; break; }
          td.textContent = U.integer(r.max_context || 0);
          if (r.max_context_is_window) {
            td.appendChild(D.make('span', 'window-mark', ' (window)'));
            td.title = 'The model\u2019s window: more memory would not raise it';
          }
          break;
        case 'max_concurrency': td.textContent = r.error ? 'unknown' : U.integer(r.max_concurrency || 0); break;
        case 'speed': td.textContent = r.decode_tokens_per_s ? U.decimal(r.decode_tokens_per_s, 1) : 'unknown'; break;
        case 'memory': td.textContent = r.memory ? U.size(r.memory.required_bytes) + ' of ' + U.size(r.memory.budget_bytes) : 'unknown'; break;
        case 'params': td.textContent = r.params_total ? U.params(r.params_total) : 'unknown'; break;
        case 'released': td.textContent = r.release_date || 'unknown'; break;
      }
      return td;
    }

    function filters() {
      var num = function (input) { return input.value === '' ? null : Number(input.value); };
      return { text: el.fText.value.trim().toLowerCase(), family: el.fFamily.value, license: el.fLicense.value, arch: el.fArch.value,
        minParams: num(el.fMinParams), maxParams: num(el.fMaxParams), date: el.fDate.value, speed: num(el.fSpeed), fits: el.fFits.checked };
    }
    function kept(r, f) {
      if (f.fits && !r.fits) return false;
      if (f.text && (r.name + ' ' + (r.family || '') + ' ' + r.model).toLowerCase().indexOf(f.text) < 0) return false;
      if (f.family && r.family !== f.family) return false;
      if (f.license && r.license !== f.license) return false;
      if (f.arch && r.architecture_class !== f.arch) return false;
      if (f.minParams !== null && paramsB(r) < f.minParams) return false;
      if (f.maxParams !== null && paramsB(r) > f.maxParams) return false;
      if (f.date && !(r.release_date && r.release_date >= f.date)) return false;
      if (f.speed !== null && !((r.decode_tokens_per_s || 0) >= f.speed)) return false;
      return true;
    }

    function fillFilterMenu(select, key, everything) {
      var before = select.value;
      var values = {};
      rows.forEach(function (r) { if (r[key]) values[r[key]] = true; });
      var options = [D.option('', everything)].concat(Object.keys(values).sort().map(function (v) { return D.option(v, v); }));
      D.fill(select, options);
      select.value = values[before] ? before : '';
    }

    function header() {
      var tr = D.make('tr');
      COLUMNS.forEach(function (col) {
        var th = D.make('th');
        th.scope = 'col';
        if (col.num) th.className = 'num';
        th.setAttribute('aria-sort', sort.key === col.key ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none');
        var b = D.make('button', 'sort', col.label);
        b.type = 'button';
        if (col.title) b.title = col.title;
        b.setAttribute('data-sort', col.key);
        b.appendChild(D.make('span', 'sort-arrow', sort.key === col.key ? (sort.dir > 0 ? ' \u25b2' : ' \u25bc') : ''));
        b.addEventListener('click', function () {
          if (sort.key === col.key) sort.dir = -sort.dir;
          else sort = { key: col.key, dir: col.text || col.key === 'verdict' ? 1 : -1 };
          drawRows();
          var again = el.table.querySelector('button[data-sort="' + col.key + '"]');
          if (again) again.focus();
        });
        th.appendChild(b);
        tr.appendChild(th);
      });
      el.table.tHead.replaceChildren(tr);
    }

    function drawRows() {
      header();
      var f = filters();
      var col = COLUMNS.filter(function (c) { return c.key === sort.key; })[0];
      var shown = rows.filter(function (r) { return kept(r, f); });
      shown.sort(function (a, b) {
        var va = col.value(a), vb = col.value(b);
        var c = typeof va === 'string' ? page.units.compareNames(va, vb) : va < vb ? -1 : va > vb ? 1 : 0;
        c *= sort.dir;
        // Ties: the longest context, then the fastest, then by name, so the order is stable.
        return c || (b.max_context || 0) - (a.max_context || 0) || (b.decode_tokens_per_s || 0) - (a.decode_tokens_per_s || 0) || a.name.localeCompare(b.name) || a.weights.localeCompare(b.weights) || a.runtime.localeCompare(b.runtime);
      });
      var trs = shown.map(function (r) {
        var tr = D.make('tr');
        tr.setAttribute('data-model', r.model);
        tr.setAttribute('data-verdict', r.verdict);
        tr.setAttribute('data-weights', r.weights);
        tr.setAttribute('data-runtime', r.runtime);
        tr.setAttribute('data-native', r.native_context === null || r.native_context === undefined ? '' : String(r.native_context));
        tr.setAttribute('data-max-context', String(r.max_context || 0));
        tr.setAttribute('data-params', String(r.params_total || 0));
        if (r.model === setup.model) tr.className = 'selected';
        COLUMNS.forEach(function (c) { tr.appendChild(cell(c, r)); });
        return tr;
      });
      if (!trs.length) {
        var td = D.make('td', 'empty', rows.length ? 'No row matches these filters.' : 'No model runs on this hardware.');
        td.colSpan = COLUMNS.length;
        var tr = D.make('tr');
        tr.appendChild(td);
        trs.push(tr);
      }
      el.table.tBodies[0].replaceChildren.apply(el.table.tBodies[0], trs);
      var fitting = rows.filter(function (r) { return r.fits; }).length;
      D.setText(el.summary, U.plural(shown.length, 'row') + ' shown of ' + U.integer(rows.length) + '; ' + U.integer(fitting) + ' fit.');
    }

    // The plan is asked for a few models at a time, between paints, so the page answers input while it works; a
    // newer setup abandons an older one. The rows are drawn once all have come.
    var CHUNK = 12;
    var lastPlan = null;
    var generation = 0;
    function finish(t0, capped, error) {
      el.table.setAttribute('data-plan-ms', String(Math.round(performance.now() - t0)));
      if (error) {
        rows = [];
        lastPlan = null;
        D.setText(el.error, (error.field ? error.field + ': ' : '') + error.message);
        el.error.hidden = false;
      } else {
        el.error.hidden = true;
        D.setText(el.windowRule, 'Max context never goes beyond a model\u2019s window: ' + U.plural(capped, 'row is', 'rows are') +
          ' limited by it rather than by memory, marked \u201c(window)\u201d. A context longer than the window is \u201c' +
          (verdictText.exceeds_context || 'exceeds_context') + '\u201d, whatever the memory.');
      }
      fillFilterMenu(el.fFamily, 'family', 'Every family');
      fillFilterMenu(el.fLicense, 'license', 'Every license');
      fillFilterMenu(el.fArch, 'architecture_class', 'Every architecture');
      drawRows();
      el.table.removeAttribute('aria-busy');
      el.table.setAttribute('data-plan', String(Number(el.table.getAttribute('data-plan') || 0) + 1));
      document.documentElement.setAttribute('data-ready', 'true');
    }
    function run() {
      var req = request();
      var text = JSON.stringify(req);
      writeAddress();
      if (text === lastPlan) { drawRows(); return; }
      lastPlan = text;
      var mine = ++generation;
      var t0 = performance.now();
      var ids = models.map(function (m) { return m.id; });
      var found = [];
      var capped = 0;
      el.table.setAttribute('aria-busy', 'true');
      var step = function (i) {
        if (mine !== generation) return;
        try {
          var answer = api.plan(Object.assign({}, req, { models: ids.slice(i, i + CHUNK) }));
          found = found.concat(answer.rows);
          capped += answer.capped_rows;
        } catch (e) {
          finish(t0, 0, e);
          return;
        }
        if (i + CHUNK < ids.length) {
          D.setText(el.summary, 'Weighing the models\u2026 ' + U.integer(Math.min(i + CHUNK, ids.length)) + ' of ' + U.integer(ids.length));
          setTimeout(function () { step(i + CHUNK); }, 0);
          return;
        }
        rows = found;
        finish(t0, capped, null);
      };
      step(0);
    }

    // ---- wiring ----
    var typing = D.debouncer();
    function changed(ms) {
      readForm();
      showDeviceFields();
      typing.run(ms, run);
    }
    el.gpu.addEventListener('change', function () {
      readForm();
      if (!isApple()) setup.wiredMib = null;
      fillRuntimes();
      changed(0);
    });
    [el.runtime, el.customUnified].forEach(function (n) { n.addEventListener('change', function () { changed(0); }); });
    [el.count, el.customMem, el.customBw, el.host, el.inUse, el.wired, el.context, el.concurrency].forEach(function (n) {
      n.addEventListener('input', function () { changed(TYPING_MS); });
    });
    var filterTyping = D.debouncer();
    [el.fText, el.fMinParams, el.fMaxParams, el.fSpeed].forEach(function (n) { n.addEventListener('input', function () { filterTyping.run(TYPING_MS, drawRows); }); });
    [el.fFamily, el.fLicense, el.fArch, el.fDate, el.fFits].forEach(function (n) { n.addEventListener('change', drawRows); });
    document.querySelectorAll('input[name="unit"]').forEach(function (n) {
      n.addEventListener('change', function () {
        setup.unit = n.value;
        U.setUnit(setup.unit);
        writeAddress();
        drawRows();
      });
    });

    var notices = readAddress();
    U.setUnit(setup.unit);
    fillForm();
    D.listItems(el.noticeList, notices);
    el.notices.hidden = notices.length === 0;
    D.setText(el.status, 'Estimator ' + api.version + ' \u00b7 ' + models.length + ' models \u00b7 ' + gpus.length + ' GPUs');
    run();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
