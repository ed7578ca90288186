// A model page: the links to the calculator and to the hardware page follow the widget, so the setup tried in the
// widget (GPU, count, runtime, checkpoint, context, concurrency) opens with them. Only query parameters are
// written, from the widget's request, through URLSearchParams.
(function () {
  'use strict';

  var FIELDS = ['model', 'weights', 'runtime', 'gpu', 'gpu_count', 'context', 'concurrency'];
  var HARDWARE = ['model', 'runtime', 'gpu', 'gpu_count', 'context', 'concurrency'];

  function query(request, names) {
    var params = new URLSearchParams();
    names.forEach(function (n) {
      var v = request[n];
      if (v !== undefined && v !== null && v !== '' && typeof v !== 'object') params.append(n, String(v));
    });
    return params.toString();
  }

  document.addEventListener('fitmygpu-result', function (event) {
    var request = event.detail && event.detail.request;
    if (!request || typeof request !== 'object') return;
    document.querySelectorAll('a[data-calculator-link]').forEach(function (a) { a.href = '../index.html?' + query(request, FIELDS); });
    document.querySelectorAll('a[data-plan-link]').forEach(function (a) { a.href = '../plan.html?' + query(request, HARDWARE); });
  });
})();
