// The setup in the address bar: reads a link into the store (every value checked against the catalog, the
// knobs and the estimator; what is wrong is reported in the notices box and replaced by the default, never
// trusted), writes the store back as the query, and copies the link. url-state.js does the text; this file knows
// what the fields mean.
(function (page) {
  'use strict';

  var U = page.units;
  var K = page.knobs;
  var S = page.urlState;
  var D = page.dom;
  var CUSTOM = page.state.CUSTOM;

  // Whole-number fields of the address: [name in the link, setup field, lowest, highest, what it is]; the
  // highest values are the estimator's (its schema's limits).
  function wholeFields() {
    var limits = K.limits();
    return [
      ['gpu_count', 'gpuCount', 1, limits.max_gpus, 'number of GPUs'],
      ['context', 'context', 1, limits.max_context, 'context length'],
      ['concurrency', 'concurrency', 1, limits.max_concurrency, 'concurrency'],
      ['images', 'images', 0, limits.max_images, 'number of images per request'],
      ['host_memory_mib', 'hostMemMib', 1, limits.max_host_memory_mib, 'system RAM in MiB'],
      ['gpu_wired_limit_mib', 'wiredMib', 1, limits.max_host_memory_mib, 'GPU wired limit in MiB'],
      ['gpu_memory_in_use_mib', 'inUseMib', 1, limits.max_device_memory_mib, 'memory in use on each GPU in MiB'],
    ];
  }
  var MAX_SETTLE_ROUNDS = 12;
  // A text knob (the engine version) taken from a link: short, printable, no spaces, and of the knob's pattern when
  // the schema gives one; the estimator judges the rest.
  var LINK_TEXT = /^[0-9A-Za-z._+-]{1,32}$/;

  function create(opts) {
    var api = opts.api;
    var store = opts.store;
    var setup = store.setup;
    var el = D.elements({ notices: 'notices', noticeList: 'notice-list', noticesDismiss: 'notices-dismiss', copyLink: 'copy-link' });

    // The setup as a query string, in a stable order; defaults are left out where the page has them.
    function query() {
      // A model read from local files cannot be restored from a link; a Hub model being read is written as asked.
      var model = store.pending.model || setup.model;
      var pairs = [['model', model.indexOf('file:') === 0 ? '' : model]];
      if (setup.weights) pairs.push(['weights', setup.weights]);
      if (setup.runtimeChosen) pairs.push(['runtime', setup.runtime]);  // else the runtime follows the device
      pairs.push(['gpu', setup.gpu]);
      if (setup.gpu === CUSTOM) {
        pairs.push(['memory_mib', setup.customMemMib], ['bandwidth_gbps', setup.customBandwidth]);
        if (setup.customUnified) pairs.push(['unified_memory', '1']);
      }
      pairs.push(['gpu_count', setup.gpuCount], ['context', setup.context], ['concurrency', setup.concurrency]);
      if (setup.images > 0 && store.takesImages()) pairs.push(['images', setup.images]);
      if (setup.hostMemMib) pairs.push(['host_memory_mib', setup.hostMemMib]);
      if (setup.wiredMib) pairs.push(['gpu_wired_limit_mib', setup.wiredMib]);
      if (setup.inUseMib) pairs.push(['gpu_memory_in_use_mib', setup.inUseMib]);
      if (setup.kv !== 'auto') pairs.push(['kv_cache_dtype', setup.kv]);
      store.activeKnobs().forEach(function (name) {
        if (setup.engine[name] !== undefined) pairs.push([name, setup.engine[name]]);
      });
      if (setup.unit !== 'gib') pairs.push(['unit', setup.unit]);
      return S.serialize(pairs.map(function (p) { return [p[0], p[1] === null || (typeof p[1] === 'number' && !isFinite(p[1])) ? '' : p[1]]; }));
    }

    // The hardware page's link carries the setup it shares with this page: model, devices, workload, system RAM,
    // runtime (when chosen) and unit.
    function planQuery() {
      var pairs = [['model', setup.model]];
      if (setup.runtimeChosen) pairs.push(['runtime', setup.runtime]);
      pairs.push(['gpu', setup.gpu]);
      if (setup.gpu === CUSTOM) {
        pairs.push(['memory_mib', setup.customMemMib], ['bandwidth_gbps', setup.customBandwidth]);
        if (setup.customUnified) pairs.push(['unified_memory', '1']);
      }
      pairs.push(['gpu_count', setup.gpuCount], ['context', setup.context], ['concurrency', setup.concurrency]);
      if (setup.hostMemMib) pairs.push(['host_memory_mib', setup.hostMemMib]);
      if (setup.wiredMib) pairs.push(['gpu_wired_limit_mib', setup.wiredMib]);
      if (setup.unit !== 'gib') pairs.push(['unit', setup.unit]);
      return S.serialize(pairs);
    }

    // The address bar shows the setup.
    function write() {
      S.replace(query());
      var nav = document.getElementById('nav-plan');
      if (nav) nav.href = 'plan.html?' + planQuery();
    }

    // One engine knob's text from the link as the value the request takes; null when it is not one. Numbers
    // must be in the knob's range as the schema gives it (K.inRange).
    function knobValue(name, text) {
      var spec = K.KNOBS[name];
      var n;
      if (spec.type === 'bool') return S.flag(text);
      if (spec.type === 'tristate') return text === 'auto' ? 'auto' : S.flag(text);
      if (spec.type === 'text') return LINK_TEXT.test(text) && (!spec.pattern || new RegExp('^(?:' + spec.pattern + ')$').test(text)) ? text : null;
      if (spec.type === 'draft') return text === 'mtp' ? text : store.findModel(text);
      if (spec.type === 'fraction') n = S.decimalNumber(text, -Infinity, Infinity);
      else if (spec.type === 'list') {
        var items = text.split(',');
        var ok = (!spec.max_items || items.length <= spec.max_items) && items.every(function (t) { return /^\d{1,6}(\.\d{1,4})?$/.test(t); });
        return ok ? items.map(Number) : null;
      } else n = S.wholeNumber(text, -Infinity, Infinity);
      return n !== null && K.inRange(name, n) ? n : null;
    }

    // Reads the address bar into the store. Returns the notices (plain strings).
    function read() {
      var notices = [];
      var parsed = S.parse(location.search, Object.keys(K.KNOBS));
      var f = parsed.fields;
      var q = S.quote;
      var hub = f.model !== undefined && /^hf:/i.test(f.model) ? page.hub.parseRepo(f.model) : null;
      if (hub) {
        self.hubModel = hub;  // read by app.js once the page is up
        store.pending.model = page.hub.modelId(hub);
      } else if (f.model !== undefined && /^hf:/i.test(f.model)) {
        notices.push('The link asks for the Hub model ' + q(f.model) + ', which is not a repository id (ORG/NAME); showing ' + store.model().name + ' instead.');
      } else if (f.model !== undefined) {
        var model = store.findModel(f.model);
        if (model) store.set({ model: model });
        else notices.push('The link asks for the model ' + q(f.model) + ', which is not in the catalog; showing ' + store.model().name + ' instead.');
      }
      if (f.runtime !== undefined) {
        var runtime = K.findRuntime(f.runtime);
        if (runtime) store.set({ runtime: runtime, runtimeChosen: true });
        else notices.push('Unknown runtime ' + q(f.runtime) + '; using ' + store.runtimeName() + '.');
      }
      if (f.gpu !== undefined) {
        var gpu = store.findGpu(f.gpu);
        if (gpu) store.set({ gpu: gpu });
        else notices.push('The link asks for the GPU ' + q(f.gpu) + ', which is not in the catalog; showing ' + store.gpu().name + ' instead.');
      }
      if (setup.gpu === CUSTOM) {
        var mib = f.memory_mib === undefined ? null : S.wholeNumber(f.memory_mib, 1, K.limits().max_device_memory_mib);
        if (mib) store.set({ customMemMib: mib });
        else notices.push('The custom device needs its memory in MiB (memory_mib' + (f.memory_mib === undefined ? '' : ' was ' + q(f.memory_mib)) + '); using ' + U.integer(store.defaults.customMemMib) + ' MiB.');
        if (f.bandwidth_gbps !== undefined) {
          var bw = S.decimalNumber(f.bandwidth_gbps, 0, K.limits().max_device_bandwidth_gbps);
          if (bw !== null) store.set({ customBandwidth: bw });
          else notices.push('Ignored the bandwidth ' + q(f.bandwidth_gbps) + ': not a number of GB/s.');
        }
        if (f.unified_memory !== undefined) store.set({ customUnified: S.flag(f.unified_memory) === true });
      }
      // No runtime in the link (or an unknown one): the device's, now that the model and the GPU are known.
      if (!setup.runtimeChosen) store.followDevice(f.weights);
      wholeFields().forEach(function (spec) {
        if (f[spec[0]] === undefined) return;
        var n = S.wholeNumber(f[spec[0]], spec[2], spec[3]);
        var change = {};
        change[spec[1]] = n;
        if (n !== null) store.set(change);
        else notices.push('The ' + spec[4] + ' ' + q(f[spec[0]]) + ' is not a whole number from ' + U.integer(spec[2]) + ' to ' + U.integer(spec[3]) + '; using ' + U.integer(setup[spec[1]]) + '.');
      });
      if (f.kv_cache_dtype !== undefined) {
        var kv = f.kv_cache_dtype.toLowerCase();
        if (K.kvTypes(setup.runtime).some(function (t) { return t[0] === kv; })) store.set({ kv: kv });
        else notices.push('The KV cache type ' + q(f.kv_cache_dtype) + ' is not one ' + store.runtimeName() + ' offers; using auto.');
      }
      if (f.weights !== undefined) {
        if (store.weightChoices().indexOf(f.weights) >= 0) store.set({ weights: f.weights });
        else notices.push('The checkpoint ' + q(f.weights) + ' is not offered for ' + store.model().name + ' on ' + store.runtimeName() + '; using the default.');
      }
      if (f.unit !== undefined) {
        if (U.all[f.unit.toLowerCase()]) store.set({ unit: f.unit.toLowerCase() });
        else notices.push('Unknown unit ' + q(f.unit) + '; showing GiB.');
      }
      var allowed = store.activeKnobs();
      Object.keys(parsed.engine).forEach(function (name) {
        var text = parsed.engine[name];
        if (allowed.indexOf(name) < 0) {
          notices.push('Ignored ' + name + ': it is not a ' + store.runtimeName() + ' setting for this model.');
          return;
        }
        var value = knobValue(name, text);
        if (value === null) notices.push('Ignored ' + name + ' = ' + q(text) + ': not a valid value.');
        else store.setEngine(name, value);
      });
      if (parsed.unknown.length) {
        notices.push('Ignored ' + parsed.unknown.map(function (n) { return q(n); }).join(', ') + ': not settings of this page.');
      }
      return notices;
    }

    // After the address is read: asks the estimator, and while it rejects a field, puts that field back to its
    // default and adds a notice. Stops when the request is accepted or nothing is left to reset.
    function settle(notices) {
      // Without parameters the page runs on its own defaults: nothing to check before the first estimate.
      if (S.plain(location.search)) return;
      for (var round = 0; round < MAX_SETTLE_ROUNDS; round++) {
        try {
          api.estimate(store.request());
          return;
        } catch (e) {
          var field = e.field || '';
          var fixed = resetField(field);
          if (!fixed) return;
          notices.push('The link\u2019s ' + (field || 'setup') + ' was rejected (' + e.message + '); ' + fixed + '.');
        }
      }
    }

    // Puts the field the estimator named back to its default; returns what it now uses, or '' if nothing changed.
    function resetField(field) {
      var d = store.defaults;
      if (field.indexOf('engine.') === 0) {
        var knob = field.slice(7);
        if (setup.engine[knob] !== undefined) {
          store.setEngine(knob, undefined);
          return 'using the engine\u2019s default for ' + knob;
        }
        if (knob === 'tensor_parallel_size' && (setup.gpuCount !== 1 || setup.engine.pipeline_parallel_size !== undefined)) {
          store.set({ gpuCount: 1 });
          store.setEngine('pipeline_parallel_size', undefined);
          return 'using one GPU';
        }
        return '';
      }
      if (field.indexOf('host') === 0 && (setup.hostMemMib || setup.wiredMib)) {
        store.set({ hostMemMib: null, wiredMib: null });
        return 'using the default system RAM and GPU share';
      }
      if (field.indexOf('gpu_memory_in_use_mib') === 0 && setup.inUseMib) {
        store.set({ inUseMib: null });
        return 'taking the GPUs as free';
      }
      if (field === 'weights' && setup.weights) { store.set({ weights: '' }); return 'using the default checkpoint'; }
      if (field === 'kv_cache_dtype' && setup.kv !== 'auto') { store.set({ kv: 'auto' }); return 'using auto'; }
      if (field === 'context' && setup.context !== d.context) { store.set({ context: d.context }); return 'using ' + U.integer(d.context) + ' tokens'; }
      if (field === 'concurrency' && setup.concurrency !== 1) { store.set({ concurrency: 1 }); return 'using 1'; }
      if (field === 'images' && setup.images !== 0) { store.set({ images: 0 }); return 'using no images'; }
      if (field === 'gpu_count' && setup.gpuCount !== 1) { store.set({ gpuCount: 1 }); return 'using 1'; }
      if ((field === 'gpu' || field === 'gpus' || field.indexOf('device') === 0) && setup.gpu !== d.gpu) {
        store.set({ gpu: d.gpu });
        return 'using the ' + store.gpu().name;
      }
      if (field === 'runtime' && setup.runtime !== d.runtime) {
        store.set({ runtime: d.runtime });
        return 'using ' + store.runtimeName();
      }
      return '';
    }

    function showNotices(list) {
      D.listItems(el.noticeList, list);
      el.notices.hidden = list.length === 0;
    }

    // Copies the link to this setup; the button says whether it worked (and keeps the link for tests).
    function copyLink() {
      var url = S.link(query());
      var done = function (ok) {
        D.setText(el.copyLink, ok ? 'Link copied' : 'Copy failed');
        el.copyLink.setAttribute('data-copied', ok ? 'true' : 'false');
        el.copyLink.setAttribute('data-link', url);
        setTimeout(function () { D.setText(el.copyLink, 'Copy link'); }, 2000);
      };
      D.copyText(url, done);
    }

    function wire() {
      el.copyLink.addEventListener('click', copyLink);
      el.noticesDismiss.addEventListener('click', function () { showNotices([]); });
    }

    var self = { read: read, settle: settle, query: query, write: write, showNotices: showNotices, wire: wire, hubModel: null };
    return self;
  }

  page.address = { create: create };
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
