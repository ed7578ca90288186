// The update cycle: after every change, one estimate for the verdict at once, then (after a paint) the launch
// command, the GPU table and the checkpoint table, then (after another paint) the chart. A newer change abandons an older cycle.
//
// For tests and tools: window.__fitmygpuRequest is the request behind the numbers on screen (also as JSON in
// #result[data-request]); <html data-busy> is present while an update is pending; every finished update
// dispatches "fitmygpu:updated" on document with its timings (also in FitMyGPUPage.lastTimings); performance
// marks time the first one (scripts/bench-page): fitmygpu-first-estimate-start/-end around the estimate,
// fitmygpu-first-verdict (written into the page), fitmygpu-first-paint (painted), fitmygpu-first-complete.
(function (page) {
  'use strict';

  var D = page.dom;

  function afterPaint(fn) {
    requestAnimationFrame(function () { setTimeout(fn, 0); });
  }

  // parts: { api, store, form, knobControls, address, view, extras, command }
  function create(parts) {
    var api = parts.api;
    var store = parts.store;
    var generation = 0;  // which cycle is the newest
    var delay = D.debouncer();

    // Marks the page busy at once and updates after `ms` (0 for menus and buttons; a pause while typing).
    function schedule(ms) {
      document.documentElement.setAttribute('data-busy', 'true');
      generation++;
      if (ms > 0) delay.run(ms, update);
      else {
        delay.cancel();
        update();
      }
    }

    function update() {
      var mine = ++generation;
      var first = Boolean(performance.mark) && !performance.getEntriesByName('fitmygpu-first-estimate-start').length;
      var t0 = performance.now();
      var req = store.request();
      store.setAnswer('request', req);
      parts.knobControls.refreshDefaults();
      window.__fitmygpuRequest = JSON.parse(JSON.stringify(req));
      parts.view.showRequest(req);
      parts.address.write();
      parts.form.markContextPreset();
      var response;
      try {
        if (first) performance.mark('fitmygpu-first-estimate-start');
        response = api.estimate(req);
        if (first) performance.mark('fitmygpu-first-estimate-end');
      } catch (e) {
        store.clearAnswers();
        parts.view.clear();
        parts.extras.clear();
        parts.command.clear();
        parts.view.showError(e);
        parts.form.markInvalid(e.field || '');
        finish(mine, { estimate_ms: performance.now() - t0, error: true });
        return;
      }
      parts.view.hideError();
      parts.form.markInvalid('');
      store.setAnswer('response', response);
      parts.view.show(response);
      parts.form.showHostDefault(response.host);
      var timings = { estimate_ms: performance.now() - t0 };
      // The GPU table and the chart come after a paint, so the verdict shows at once, and (on a page started from the
      // estimator's start answers, web/app.js) once the estimator is ready.
      afterPaint(function () {
        if (performance.mark && !performance.getEntriesByName('fitmygpu-first-paint').length) performance.mark('fitmygpu-first-paint');
        whenReady(function () { rest(mine, req, response, timings, t0); });
      });
    }

    function whenReady(fn) {
      if (api.whenReady) api.whenReady(fn);
      else fn();
    }

    // The launch command, the GPU and checkpoint tables, then (after another paint) the charts.
    function rest(mine, req, response, timings, t0) {
      if (mine !== generation) return;
      parts.command.show(req);
      var t2 = performance.now();
      parts.extras.runCompare(req);
      timings.compare_ms = performance.now() - t2;
      var tq = performance.now();
      parts.extras.runQuant(req);
      timings.quantizations_ms = performance.now() - tq;
      afterPaint(function () {
        if (mine !== generation) return;
        var t3 = performance.now();
        parts.extras.runChart(req, response);
        parts.extras.runSpeed(response);
        timings.chart_ms = performance.now() - t3;
        timings.total_ms = performance.now() - t0;
        finish(mine, timings);
      });
    }

    function finish(mine, timings) {
      if (mine !== generation) return;
      document.documentElement.removeAttribute('data-busy');
      page.lastTimings = timings;
      if (performance.getEntriesByName && !performance.getEntriesByName('fitmygpu-first-complete').length && performance.mark) performance.mark('fitmygpu-first-complete');
      document.dispatchEvent(new CustomEvent('fitmygpu:updated', { detail: timings }));
    }

    return { schedule: schedule };
  }

  page.updates = { create: create };
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
