// The cards drawn after the verdict, each from more questions to the estimator, each answer kept (store.remember)
// while its question does not change:
//   "What fits this setup"   one compare call: the setup on every catalog GPU (table: gpu-table.js)
//   "Which checkpoint fits"  one quantizations call: the setup under every format its runtime loads
//   the chart                one estimate per context length (drawing: chart.js)
//   the speed chart          the estimate's own speed.by_concurrency (drawing: chart.js)
// A GPU or checkpoint picked from a table goes to opts.onPickGpu / opts.onPickWeights.
(function (page) {
  'use strict';

  var U = page.units;
  var K = page.knobs;
  var D = page.dom;
  var CUSTOM = page.state.CUSTOM;
  var worstDevice = page.resultView.worstDevice;

  var MAX_CHART_POINTS = 10;
  var CHART_FIRST_CONTEXT = 1024;  // the chart's points double from here (or start at a shorter context)
  var RESIZE_MS = 150;

  // "1, 2, 4, 8 and 16"
  function spelledList(items, last) {
    return items.length > 1 ? items.slice(0, -1).join(', ') + ' ' + last + ' ' + items[items.length - 1] : items.join('');
  }

  function create(opts) {
    var api = opts.api;
    var store = opts.store;
    var setup = store.setup;
    var answers = store.answers;
    var el = D.elements({
      gpuTable: 'gpu-table', gpuTableCaption: 'gpu-table-caption', tableFits: 'gpu-table-fits', tableVendor: 'gpu-table-vendor',
      quantTable: 'quant-table', quantCaption: 'quant-caption', chart: 'chart', chartCaption: 'chart-caption', chartTable: 'chart-table',
      speedChart: 'speed-chart', speedCaption: 'speed-chart-caption', speedTable: 'speed-chart-table',
    });
    var resizeDelay = D.debouncer();
    var table = page.gpuTable.create(el.gpuTable, {
      onPick: opts.onPickGpu,
      cardCounts: function () { return K.cardCounts(setup.runtime); },
    });

    // ---- the GPU table: cached while only the GPU changes ----

    function runCompare(req) {
      var base = Object.assign({}, req);
      delete base.gpu;
      delete base.device;
      store.setAnswer('compare', store.remember('compare', JSON.stringify(base), function () {
        try {
          return { rows: api.compare(base).gpus };
        } catch (e) {
          return { error: e.message };
        }
      }));
      showCompare();
    }

    function showCompare() {
      var c = answers.compare;
      if (!c) return;
      if (c.error) {
        table.update([], setup.gpu);
        D.setText(el.gpuTableCaption, 'The comparison failed: ' + c.error);
        return;
      }
      var rows = c.rows;
      var fits = rows.filter(function (r) { return !r.error && r.fits; });
      var smallest = fits.slice().sort(function (a, b) { return a.memory_bytes - b.memory_bytes; })[0];
      var cards = setup.gpuCount === 1 ? 'one card' : setup.gpuCount + ' cards';
      D.setText(el.gpuTableCaption, 'This setup on every GPU in the catalog, ' + cards + ' each: ' + fits.length + ' of ' + rows.length + ' fit' +
        (smallest ? '; the smallest is the ' + smallest.name + ' (' + U.size(smallest.memory_bytes) + ')' : '') +
        '. \u201cFewest cards\u201d tries ' + spelledList(K.cardCounts(setup.runtime), 'and') + '. Pick a GPU by its name.');
      var vendors = {};
      rows.forEach(function (r) { if (r.vendor) vendors[r.vendor] = true; });
      var current = el.tableVendor.value;
      var names = Object.keys(vendors).sort();
      if (el.tableVendor.options.length !== names.length + 1) {
        D.fill(el.tableVendor, [D.option('', 'All')].concat(names.map(function (v) { return D.option(v, v); })));
        el.tableVendor.value = names.indexOf(current) >= 0 ? current : '';
      }
      table.update(rows, setup.gpu === CUSTOM ? '' : setup.gpu);
    }

    // ---- which checkpoint fits: cached while only the checkpoint changes ----

    function runQuant(req) {
      var base = Object.assign({}, req);
      delete base.weights;
      store.setAnswer('quant', store.remember('quant', JSON.stringify(base), function () {
        try {
          return api.quantizations(base);
        } catch (e) {
          return { error: e.message };
        }
      }));
      showQuant();
    }

    function showQuant() {
      var q = answers.quant;
      if (!q) return;
      var body = el.quantTable.tBodies[0];
      if (q.error) {
        body.replaceChildren();
        D.setText(el.quantCaption, 'The comparison of checkpoints failed: ' + q.error);
        return;
      }
      var offered = store.weightChoices();
      var current = store.format();
      var best = q.options.filter(function (o) { return o.weights === q.best; })[0];
      D.setText(el.quantCaption, (best ? 'The most precise format that fits this setup is ' + best.label + '.' : 'No format fits this setup.') +
        ' Formats the checkpoint menu offers (published, or converted from the official checkpoint) can be picked by name.');
      D.fill(body, q.options.map(function (o) {
        var tr = D.make('tr');
        tr.setAttribute('data-weights', o.weights);
        if (o.weights === current) {
          tr.className = 'selected';
          tr.setAttribute('aria-current', 'true');
        }
        var name = D.make('th');
        name.scope = 'row';
        if (offered.indexOf(o.weights) >= 0) {
          var pick = D.make('button', 'link', o.label);
          pick.type = 'button';
          pick.addEventListener('click', function () { opts.onPickWeights(o.weights); });
          name.appendChild(pick);
        } else {
          name.appendChild(document.createTextNode(o.label));
          name.appendChild(D.make('span', 'note', ' no published checkpoint'));
        }
        if (o.weights === q.best) name.appendChild(D.make('span', 'badge badge-fits badge-best', 'best fit'));
        tr.appendChild(name);
        tr.appendChild(D.make('td', 'num', o.bits_per_weight !== undefined ? U.decimal(o.bits_per_weight, 2) : '\u2014'));
        tr.appendChild(D.make('td', 'num', o.weights_bytes !== undefined ? U.number(o.weights_bytes) : '\u2014'));
        var status = D.make('td');
        var verdict = o.error ? 'error' : o.verdict;
        var badge = D.make('span', 'badge badge-' + verdict, page.gpuTable.STATUS_TEXT[verdict] || page.knobs.verdictLabel(verdict));
        if (o.error) badge.title = o.error;
        status.appendChild(badge);
        tr.appendChild(status);
        tr.appendChild(D.make('td', 'num' + (o.headroom_bytes < 0 ? ' negative' : ''), o.headroom_bytes !== undefined ? (o.headroom_bytes > 0 ? '+' : '') + U.number(o.headroom_bytes) : '\u2014'));
        var maxContext = D.make('td', 'num', o.max_context !== undefined ? U.integer(o.max_context) : 'unknown');
        maxContext.setAttribute('data-max-context', o.max_context !== undefined ? String(o.max_context) : '');
        tr.appendChild(maxContext);
        return tr;
      }));
    }

    // ---- the chart: the setup at a handful of context lengths, cached while only the context changes ----

    function chartContexts() {
      var max = Math.max(store.maxContext() || 131072, setup.context);
      var min = Math.min(CHART_FIRST_CONTEXT, setup.context);
      var list = [];
      for (var c = CHART_FIRST_CONTEXT; c < max; c *= 2) if (c >= min) list.push(c);
      if (min < CHART_FIRST_CONTEXT) list.unshift(min);
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
      var points = store.remember('chart', JSON.stringify(base) + '|' + contexts.join(','), function () {
        return contexts.map(function (c) {
          try {
            var r = api.estimate(Object.assign({}, base, { context: c }));
            return { context: c, bytes: worstDevice(r).required_bytes, fits: r.verdict !== 'does_not_fit' };
          } catch (e) {
            return { context: c, bytes: -1, fits: false, error: e.message };
          }
        });
      });
      var worst = worstDevice(response);
      store.setAnswer('chart', {
        points: points,
        capacity: worst.capacity_bytes,
        budget: worst.budget_bytes,
        current: { context: setup.context, bytes: worst.required_bytes },
        maxContext: response.limits.max_context,
        deviceName: worst.name,
      });
      showChart();
    }

    function showChart() {
      var c = answers.chart;
      if (!c) return;
      page.chart.render(el.chart, c);
      D.setText(el.chartCaption, 'Memory the setup needs on ' + (answers.response.devices.length > 1 ? 'its most loaded GPU' : 'the GPU') + ' (' + c.deviceName +
        ') at ' + U.plural(setup.concurrency, 'request') + ' of each length, from the estimator at ' + c.points.length + ' context lengths. ' +
        (c.maxContext > 0 ? 'The longest context that fits is ' + U.integer(c.maxContext) + ' tokens.' : 'No context length fits.'));
      var head = D.make('tr');
      ['Context (tokens)', 'Needed (' + U.unit().name + ')', 'Verdict'].forEach(function (t, i) {
        var th = D.make('th', i ? 'num' : '', t);
        th.scope = 'col';
        head.appendChild(th);
      });
      el.chartTable.tHead.replaceChildren(head);
      D.fill(el.chartTable.tBodies[0], c.points.map(function (p) {
        var tr = D.make('tr');
        tr.appendChild(D.make('td', '', U.integer(p.context)));
        tr.appendChild(D.make('td', 'num', p.bytes >= 0 ? U.number(p.bytes) : '\u2014'));
        tr.appendChild(D.make('td', 'num', p.error ? p.error : p.fits ? 'fits' : 'does not fit'));
        return tr;
      }));
    }

    // ---- the speed chart: drawn from the estimate itself ----

    function runSpeed(response) {
      var sp = response.speed;
      store.setAnswer('speedChart', sp && sp.by_concurrency && sp.by_concurrency.length ? {
        points: sp.by_concurrency,
        asked: setup.concurrency,
        pool: response.kv_cache && response.kv_cache.max_concurrency >= 1 ? Math.floor(response.kv_cache.max_concurrency) : 0,
      } : null);
      showSpeed();
    }

    function showSpeed() {
      var c = answers.speedChart;
      var rate = function (v) { return typeof v === 'number' && v > 0 ? U.decimal(v, v >= 100 ? 0 : 1) : 'unknown'; };
      if (!c) {
        el.speedChart.replaceChildren();
        el.speedTable.tHead.replaceChildren();
        el.speedTable.tBodies[0].replaceChildren();
        D.setText(el.speedCaption, 'No speed figures for this setup; the assumptions say why.');
        return;
      }
      page.chart.renderSpeed(el.speedChart, c);
      var best = c.points.reduce(function (a, p) { return p.total_decode_tokens_per_s > a.total_decode_tokens_per_s ? p : a; }, c.points[0]);
      D.setText(el.speedCaption, 'Rough decode speed of this setup as more requests run at once: each request slows down while the total rises, ' +
        'until the KV cache is full' + (c.pool > 0 ? ' (it holds ' + U.plural(c.pool, 'request') + ' of ' + U.integer(setup.context) + ' tokens)' : '') +
        '. Highest total here: ' + rate(best.total_decode_tokens_per_s) + ' tokens/s at ' + U.plural(best.concurrency, 'request') + '.');
      var head = D.make('tr');
      ['Requests', 'Running', 'Per request (tokens/s)', 'Total (tokens/s)', 'Time per token (ms)'].forEach(function (t, i) {
        var th = D.make('th', i ? 'num' : '', t);
        th.scope = 'col';
        head.appendChild(th);
      });
      el.speedTable.tHead.replaceChildren(head);
      D.fill(el.speedTable.tBodies[0], c.points.map(function (p) {
        var tr = D.make('tr', p.concurrency === c.asked ? 'selected' : '');
        if (p.concurrency === c.asked) tr.setAttribute('aria-current', 'true');
        tr.appendChild(D.make('td', '', U.integer(p.concurrency)));
        tr.appendChild(D.make('td', 'num', U.integer(p.running)));
        tr.appendChild(D.make('td', 'num', rate(p.decode_tokens_per_s)));
        tr.appendChild(D.make('td', 'num', rate(p.total_decode_tokens_per_s)));
        tr.appendChild(D.make('td', 'num', typeof p.tpot_ms === 'number' ? U.decimal(p.tpot_ms, 1) : 'unknown'));
        return tr;
      }));
    }

    // ---- all of them ----

    // The request was rejected: the cards are emptied.
    function clear() {
      el.chart.replaceChildren();
      el.speedChart.replaceChildren();
      el.speedTable.tHead.replaceChildren();
      el.speedTable.tBodies[0].replaceChildren();
      D.setText(el.speedCaption, '');
      el.chartTable.tHead.replaceChildren();
      el.chartTable.tBodies[0].replaceChildren();
      D.setText(el.chartCaption, '');
      table.update([], setup.gpu);
      D.setText(el.gpuTableCaption, '');
      el.quantTable.tBodies[0].replaceChildren();
      D.setText(el.quantCaption, '');
    }

    // Redraws from the answers in hand (the unit changed).
    function redraw() {
      showCompare();
      showChart();
      showSpeed();
      showQuant();
    }

    function wire() {
      var filters = function () { table.setFilters({ fitsOnly: el.tableFits.checked, vendor: el.tableVendor.value }); };
      el.tableFits.addEventListener('change', filters);
      el.tableVendor.addEventListener('change', filters);
      // The chart is drawn at the container's width: redrawn when the width changes.
      var width = window.innerWidth;
      window.addEventListener('resize', function () {
        if (window.innerWidth === width) return;
        width = window.innerWidth;
        resizeDelay.run(RESIZE_MS, function () { showChart(); showSpeed(); });
      });
    }

    return { runCompare: runCompare, runQuant: runQuant, runChart: runChart, runSpeed: runSpeed, clear: clear, redraw: redraw, wire: wire };
  }

  page.extras = { create: create };
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
