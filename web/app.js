// The calculator page's start-up: waits for the estimator (or, on a plain load, starts at once from its start
// answers, earlyApi below), builds the store and the page's parts, reads the address, fills the form and runs the
// first update. Nothing about models or engines is computed in the page
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

  // The API the page's parts are given on a plain load (no setup in the address) when the estimator's start answers are
  // at hand (fitmygpu-start.js, FitMyGPU.early()): until the module is ready, requests are answered from them, so the
  // form and the first verdict appear while the module still downloads and compiles; from then on every request goes
  // to the module. whenReady(fn) runs fn once the module is ready (at once after): the work after the first verdict
  // (the GPU table, the checkpoint table, the chart, the launch command) waits for it.
  function earlyApi(early) {
    var live = null;
    var missed = false;
    var waiting = [];
    var api = {};
    Object.keys(early).forEach(function (name) {
      if (typeof early[name] !== 'function') {
        api[name] = early[name];
        return;
      }
      api[name] = function () {
        if (live) return live[name].apply(live, arguments);
        try {
          return early[name].apply(early, arguments);
        } catch (e) {
          if (e && e.code === 'not_ready') missed = true;
          throw e;
        }
      };
    });
    api.whenReady = function (fn) {
      if (live) fn();
      else waiting.push(fn);
    };
    // Whether a request found no start answer: the page then asks everything again of the module.
    api.missed = function () { return missed; };
    // The module is ready: every request goes to it from now on; first() runs before the work that waited for it.
    api.settle = function (module, first) {
      live = module;
      api.version = module.version;
      if (first) first();
      waiting.splice(0).forEach(function (fn) { fn(); });
    };
    return api;
  }

  function start() {
    var status = page.dom.byId('status');
    if (typeof FitMyGPU === 'undefined' || typeof FitMyGPU.ready !== 'function') {
      page.dom.setText(status, 'The estimator (fitmygpu.js) did not load.');
      return;
    }
    var failed = function (err) {
      // The estimator did not load, or the page could not be built from its answers.
      page.dom.setText(status, 'The estimator could not start: ' + (err && err.message ? err.message : String(err)));
    };
    var early = page.urlState.plain(location.search) && typeof FitMyGPU.early === 'function' ? FitMyGPU.early() : null;
    if (!early) {
      FitMyGPU.ready().then(function (api) { build(api).live(); }).catch(failed);
      return;
    }
    // Until the module is ready the controls are inert: what they would ask has no start answer.
    var controls = [document.querySelector('main'), page.dom.byId('units')].filter(Boolean);
    controls.forEach(function (el) { el.inert = true; });
    var api = earlyApi(early);
    var built;
    try {
      built = build(api, true);
    } catch (err) {
      failed(err);
      return;
    }
    // The module is asked for once the first verdict is painted: decoding and compiling it earlier would hold that up.
    requestAnimationFrame(function () {
      setTimeout(function () {
        FitMyGPU.ready().then(function (module) {
          var again = api.missed() || module.version !== early.version;
          api.settle(module, function () { built.complete(again); });
          controls.forEach(function (el) { el.inert = false; });
          built.live();
        }).catch(failed);
      }, 0);
    });
  }

  // Builds the page's parts on `api` and runs the first update; startingOnly: from the start answers, with the starting
  // model and GPU alone in the lists. Returns live() (the estimator is ready: the status line and data-ready) and
  // complete(again) (the estimator is now ready: the whole lists in the menus and, when again, every answer asked anew).
  function build(api, startingOnly) {
    var status = page.dom.byId('status');
    // For scripts/bench-page: the engine registry and the catalog lists, read from the estimator.
    var mark = function (name) { if (performance.mark) performance.mark(name); };
    mark('fitmygpu-schema-start');
    // The engine registry first: runtimes, formats, knobs and limits come from it (knobs.js).
    page.knobs.init(api.schema());
    var updates = null;
    var schedule = function (ms) { updates.schedule(ms); };

    mark('fitmygpu-catalog-start');
    var store = page.state.create(api, startingOnly);
    mark('fitmygpu-catalog-end');
    var address = page.address.create({ api: api, store: store });
    var knobControls = page.knobControls.create({ api: api, store: store, onChange: schedule });
    var view = page.resultView.create({ store: store, onSuggestion: function (change) { store.applyRequest(change, false); form.fill(); schedule(0); } });
    var modelFiles = null;
    var form = page.form.create({ api: api, store: store, knobControls: knobControls, onChange: schedule, onUnitChange: unitsChanged,
      onHubRepo: function (ref) { modelFiles.loadHub(ref); } });
    var extras = page.extras.create({ api: api, store: store, onPickGpu: form.pickGpu, onPickWeights: form.pickWeights });
    // Reading files, logs and launch commands is the tools module's work (FitMyGPU.tools()), loaded when first asked.
    var tools = function () { return FitMyGPU.tools(); };
    var logCheck = page.logCheck.create({ tools: tools, store: store });
    var command = page.command.create({ api: api, tools: tools, store: store, onApply: function () { form.fill(); schedule(0); },
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
      api: api, tools: tools, store: store, onModel: showModel,
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
    schedule(0);
    return {
      live: function () {
        page.dom.setText(status, 'Estimator ' + api.version + ' \u00b7 ' + store.catalog.models.length + ' models \u00b7 ' + store.catalog.gpus.length + ' GPUs');
        document.documentElement.setAttribute('data-ready', 'true');
      },
      complete: function (again) {
        if (store.catalog.partial) {
          store.loadLists();
          form.fill();
        }
        if (again) {
          store.forget();
          schedule(0);
        }
      },
    };
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
