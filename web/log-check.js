// "Compare with your engine's startup log": sets a pasted llama.cpp, Ollama, vLLM, SGLang, TensorRT-LLM or mlx-lm startup log beside the estimate of
// the current setup (checkLog, of the tools module), figure by figure. The text never leaves the page.
(function (page) {
  'use strict';

  var U = page.units;
  var D = page.dom;

  // opts: { tools, store } — tools() → Promise of the API that reads logs (FitMyGPU.tools()).
  function create(opts) {
    var store = opts.store;
    var el = D.elements({ text: 'log-text', check: 'log-check', status: 'log-status', table: 'log-table' });

    // → Promise; a later check wins over an earlier one still loading the tools module.
    var checking = D.latest();
    function check() {
      var text = el.text.value;
      var tbody = el.table.tBodies[0];
      tbody.replaceChildren();
      el.table.hidden = true;
      if (!text.trim()) return Promise.resolve(D.setText(el.status, 'Paste a startup log first.'));
      var request = store.request();
      D.setText(el.status, 'Reading the log\u2026');
      return checking(opts.tools(), function (tools) { show(tools.checkLog(request, text)); }, el.status);
    }

    function show(result) {
      var tbody = el.table.tBodies[0];
      result.rows.forEach(function (r) {
        var tr = document.createElement('tr');
        tr.setAttribute('data-what', r.what);
        var value = function (v) {
          if (v === null || v === undefined) return 'unknown';
          if (r.unit === 'tokens') return U.integer(v) + ' tokens';
          if (r.unit === 'layers') return U.integer(v) + ' layers';
          if (r.unit === 'requests') return v.toFixed(2) + '\u00d7';
          return U.size(v);
        };
        [r.what, r.device < 0 ? 'host' : '#' + r.device, value(r.logged), value(r.estimated),
          r.error_pct === undefined ? (r.note || '') : (r.error_pct > 0 ? '+' : '') + r.error_pct.toFixed(2) + '%'].forEach(function (cell, i) {
          tr.appendChild(D.make('td', i >= 2 ? 'num' : '', cell));
        });
        tbody.appendChild(tr);
      });
      el.table.hidden = result.rows.length === 0;
      D.setText(el.status, 'Read a ' + store.runtimeName(result.engine) + ' log: ' + result.rows.length + ' figures compared.');
    }

    function wire() {
      el.check.addEventListener('click', check);
      // Reading a log needs the tools module: it starts loading once someone is about to paste one.
      el.text.addEventListener('focus', function () { opts.tools().catch(function () {}); });
    }

    return { check: check, wire: wire };
  }

  page.logCheck = { create: create };
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
