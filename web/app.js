// The calculator page's start-up: waits for the estimator, builds the store and the page's parts, reads the
// address, fills the form and runs the first update. Nothing about models or engines is computed in the page
// (the C++ core owns that): verdict, breakdown, limits, the GPU table and the chart points all come from the estimator.
//
// The parts, one script each, loaded before this one (index.html), all on window.FitMyGPUPage:
//   units.js knobs.js url-state.js dom.js   display units, the form's vocabulary (api.schema()), query text, DOM helpers
//   state.js        the store: the setup, the catalog, the answers on screen
//   address.js      the setup ⇄ the address bar, notices about a bad link, the copy-link button
//   knob-controls.js form.js                the engine knob controls; the pickers and workload fields
//   result-view.js  verdict card, device bars, breakdown, notes, model facts
//   chart.js gpu-table.js extras.js         the GPU table, the checkpoint table, the chart
//   log-check.js    the startup-log comparison
//   command.js      the launch command of the setup, and a pasted command read into the form
//   hub.js model-files.js   a model read from its files' headers: the Hugging Face Hub (only when asked) or local files
//   update.js       the update cycle after every change
(function (page) {
  'use strict';

  function start() {
    var status = page.dom.byId('status');
    if (typeof FitMyGPU === 'undefined' || typeof FitMyGPU.ready !== 'function') {
      page.dom.setText(status, 'The estimator (fitmygpu.js) did not load.');
      return;
    }
    FitMyGPU.ready().then(function (api) {
      // For scripts/bench-page: the engine registry and the catalog lists, read from the estimator.
      var mark = function (name) { if (performance.mark) performance.mark(name); };
      mark('fitmygpu-schema-start');
      // The engine registry first: runtimes, formats, knobs and limits come from it (knobs.js).
      page.knobs.init(api.schema());
      var updates = null;
      var schedule = function (ms) { updates.schedule(ms); };

      mark('fitmygpu-catalog-start');
      var store = page.state.create(api);
      mark('fitmygpu-catalog-end');
      var address = page.address.create({ api: api, store: store });
      var knobControls = page.knobControls.create({ api: api, store: store, onChange: schedule });
      var view = page.resultView.create({ store: store, onSuggestion: function (change) { store.applyRequest(change, false); form.fill(); schedule(0); } });
      var modelFiles = null;
      var form = page.form.create({ api: api, store: store, knobControls: knobControls, onChange: schedule, onUnitChange: unitsChanged,
        onHubRepo: function (ref) { modelFiles.loadHub(ref); } });
      var extras = page.extras.create({ api: api, store: store, onPickGpu: form.pickGpu, onPickWeights: form.pickWeights });
      var logCheck = page.logCheck.create({ api: api, store: store });
      var command = page.command.create({ api: api, store: store, onApply: function () { form.fill(); schedule(0); },
        onHubRepo: function (ref) { modelFiles.loadHub(ref); } });
      // A model read from files joins the model menu and becomes the setup's model.
      var showModel = function (id) {
        store.set({ model: id, weights: '' });
        store.followDevice();
        form.fill();
        address.write();
        schedule(0);
      };
      modelFiles = page.modelFiles.create({
        api: api, store: store, onModel: showModel,
        onCatalogModel: function (id) { showModel(id); },
        onFailed: function () { address.write(); },
      });
      updates = page.updates.create({ api: api, store: store, form: form, knobControls: knobControls, address: address, view: view, extras: extras, command: command });

      // The unit changed: everything is redrawn from the answers already in hand.
      function unitsChanged() {
        page.units.setUnit(store.setup.unit);
        form.showUnits();
        if (store.answers.response) view.show(store.answers.response);
        extras.redraw();
        address.write();
      }

      var notices = address.read();
      page.units.setUnit(store.setup.unit);
      address.settle(notices);
      form.fill();
      address.showNotices(notices);
      [form, address, view, extras, logCheck, command, modelFiles].forEach(function (part) { part.wire(); });
      // A link to a Hub model (?model=hf:ORG/NAME) asks for it: it is read now, the catalog's model showing meanwhile.
      if (address.hubModel) modelFiles.loadHub(address.hubModel);
      page.dom.setText(status, 'Estimator ' + api.version + ' \u00b7 ' + store.catalog.models.length + ' models \u00b7 ' + store.catalog.gpus.length + ' GPUs');
      schedule(0);
      document.documentElement.setAttribute('data-ready', 'true');
    }).catch(function (err) {
      // The estimator did not load, or the page could not be built from its answers.
      page.dom.setText(status, 'The estimator could not start: ' + (err && err.message ? err.message : String(err)));
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
