// "Compare with your engine's startup log": sets a pasted llama.cpp or vLLM startup log beside the estimate of
// the current setup (api.checkLog), figure by figure. The text never leaves the page.
(function (page) {
  'use strict';

  var U = page.units;
  var D = page.dom;

  function create(opts) {
    var api = opts.api;
    var store = opts.store;
    var el = D.elements({ text: 'log-text', check: 'log-check', status: 'log-status', table: 'log-table' });

    function check() {
      var text = el.text.value;
      var tbody = el.table.tBodies[0];
      tbody.replaceChildren();
      el.table.hidden = true;
      if (!text.trim()) return D.setText(el.status, 'Paste a startup log first.');
      var result;
      try {
        result = api.checkLog(store.request(), text);
      } catch (e) {
        return D.setText(el.status, e.message);
      }
      result.rows.forEach(function (r) {
        var tr = document.createElement('tr');
        tr.setAttribute('data-what', r.what);
        var value = function (v) { return r.unit === 'tokens' ? U.integer(v) + ' tokens' : U.size(v); };
        [r.what, r.device < 0 ? 'host' : '#' + r.device, value(r.logged), value(r.estimated),
          r.error_pct === undefined ? '' : (r.error_pct > 0 ? '+' : '') + r.error_pct.toFixed(2) + '%'].forEach(function (cell, i) {
          tr.appendChild(D.make('td', i >= 2 ? 'num' : '', cell));
        });
        tbody.appendChild(tr);
      });
      el.table.hidden = result.rows.length === 0;
      D.setText(el.status, 'Read a ' + store.runtimeName(result.engine) + ' log: ' + result.rows.length + ' figures compared.');
    }

    function wire() { el.check.addEventListener('click', check); }

    return { check: check, wire: wire };
  }

  page.logCheck = { create: create };
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
