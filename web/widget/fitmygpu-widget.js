/*
 * <fitmygpu-widget>: a small live "will it fit?" calculator for one model, to put on any page.
 *
 *   <script src="fitmygpu.js" defer></script>                 (the estimator, from the FitMyGPU site)
 *   <script src="fitmygpu-widget.js" defer></script>
 *   <fitmygpu-widget model="llama-3.1-8b" gpu="rtx-4090" runtime="vllm" context="8192"></fitmygpu-widget>
 *
 * Attributes (all but model optional; the widget writes the user's choices back to them):
 *   model       catalog model id (required)            gpu        catalog GPU id (default rtx-4090)
 *   gpu-count   cards (default 1)                      runtime    a runtime id of the estimator (api.schema().runtimes,
 *   weights     checkpoint format, e.g. gguf:Q4_K_M               e.g. vllm or llama.cpp; default: the one the estimator
 *                                                                picks for the model on the GPU)
 *   context     tokens per request (default 4096)      concurrency requests at once (default 1)
 * The engine menu, the checkpoint formats each engine loads, its default checkpoint and the card counts come from
 * the estimator's engine registry (api.schema()), read once it is loaded.
 * Events (bubbling, composed), all with the request in event.detail.request:
 *   fitmygpu-ready   the estimator is loaded and the controls are filled
 *   fitmygpu-result  a new estimate: detail.result is the estimator's answer, detail.cause "attribute" or "input"
 *   fitmygpu-error   the estimator rejected the request: detail.error {code, field, message}
 * Theming: the widget paints its own background (light, or dark when the reader's system is dark), so its text
 * stays readable on any host page; CSS custom properties --fitmygpu-accent, --fitmygpu-fg, --fitmygpu-bg,
 * --fitmygpu-line, --fitmygpu-font change its colours; or style the parts (::part(verdict), ::part(controls), ...).
 * Loading: the estimator is asked for once the host page has loaded and the browser is idle (or at once when the
 * reader points at or focuses the widget), so the host page's own content comes first.
 *
 * Everything is computed by the FitMyGPU module; this file only asks it and shows the answer (text set with
 * textContent). It uses no eval, no inline style attributes and loads nothing: it runs under a CSP of
 * script-src 'self' 'wasm-unsafe-eval'. Loading it twice is harmless (the element is defined once).
 */
(function () {
  'use strict';

  if (typeof window === 'undefined' || !window.customElements || !window.HTMLElement) return;
  if (window.customElements.get('fitmygpu-widget')) return;

  var GIB = 1073741824;
  var TAG = 'fitmygpu-widget';
  var DEFAULTS = { gpu: 'rtx-4090', context: 4096, 'gpu-count': 1, concurrency: 1 };
  var CONTEXTS = [2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 1048576];
  var VERDICT_TEXT = { fits: 'Fits', tight: 'Tight fit', does_not_fit: 'Does not fit' };
  var GGUF_PREFIX = 'gguf:';  // the estimator's GGUF format ids: "gguf:" and the file type

  var CSS = [
    ':host { display: block; --_accent: var(--fitmygpu-accent, #1f6f43); --_fg: var(--fitmygpu-fg, #1b1f23);',
    '  --_dim: var(--fitmygpu-dim, #57606a); --_bg: var(--fitmygpu-bg, #ffffff); --_line: var(--fitmygpu-line, #d8dee4);',
    '  --_fits: #1f6f43; --_tight: #8a5a00; --_nofit: #b42318; --_track: rgba(127, 127, 127, 0.15);',
    '  color: var(--_fg); background: var(--_bg); color-scheme: light; padding: 0.75rem; border: 1px solid var(--_line); border-radius: 8px;',
    '  font: 15px/1.45 var(--fitmygpu-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif); }',
    '@media (prefers-color-scheme: dark) { :host { --_accent: var(--fitmygpu-accent, #3fb872); --_fg: var(--fitmygpu-fg, #e6edf3);',
    '  --_dim: var(--fitmygpu-dim, #9da7b3); --_bg: var(--fitmygpu-bg, #0f1419); --_line: var(--fitmygpu-line, #2d3640);',
    '  --_fits: #6fd39a; --_tight: #f0b955; --_nofit: #ff8a80; color-scheme: dark; } }',
    ':host([hidden]) { display: none; }',
    '* { box-sizing: border-box; }',
    '.controls { display: grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr)); gap: 0.5rem 0.75rem; margin: 0 0 0.75rem; }',
    '.control { display: flex; flex-direction: column; gap: 0.2rem; min-width: 0; }',
    '.control.wide { grid-column: 1 / -1; }',
    'label { font-size: 0.8rem; font-weight: 600; color: var(--_dim); }',
    'select { width: 100%; min-height: 2.4rem; padding: 0.3rem 0.45rem; font: inherit; color: var(--_fg); background: var(--_bg);',
    '  border: 1px solid var(--_line); border-radius: 6px; }',
    'select:focus-visible { outline: 3px solid var(--_accent); outline-offset: 1px; }',
    '.result { border-top: 1px solid var(--_line); padding-top: 0.75rem; }',
    '.verdict { margin: 0; font-size: 1.35rem; font-weight: 750; }',
    '.verdict[data-verdict="fits"] { color: var(--_fits); }',
    '.verdict[data-verdict="tight"] { color: var(--_tight); }',
    '.verdict[data-verdict="does_not_fit"] { color: var(--_nofit); }',
    '.required { margin: 0.15rem 0 0.5rem; font-variant-numeric: tabular-nums; }',
    '.meter { display: block; width: 100%; height: 0.7rem; border-radius: 4px; background: var(--_track); overflow: hidden; }',
    '.meter .fill { fill: var(--_fits); }',
    '.meter[data-verdict="tight"] .fill { fill: var(--_tight); }',
    '.meter[data-verdict="does_not_fit"] .fill { fill: var(--_nofit); }',
    '.figures { display: grid; grid-template-columns: auto 1fr; gap: 0.15rem 0.75rem; margin: 0.65rem 0 0; font-size: 0.88rem; }',
    '.figures dt { color: var(--_dim); }',
    '.figures dd { margin: 0; text-align: right; font-weight: 600; font-variant-numeric: tabular-nums; }',
    '.status { margin: 0; color: var(--_dim); font-size: 0.88rem; }',
    '.error { margin: 0.5rem 0 0; padding: 0.5rem 0.65rem; border: 1px solid var(--_nofit); border-radius: 6px; color: var(--_nofit); font-size: 0.88rem; }',
    '[hidden] { display: none !important; }'
  ].join('\n');

  var sheet = null;
  function styleSheet() {
    if (sheet === null) {
      try {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
      } catch (e) {
        sheet = false;  // older browsers: a <style> element instead (see attachStyles)
      }
    }
    return sheet;
  }

  function gib(bytes) {
    var v = bytes / GIB;
    return (v < 0 ? '\u2212' : '') + Math.abs(v).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + ' GiB';
  }
  function integer(n) { return Math.round(n).toLocaleString('en-US'); }
  function tokens(n) { return n >= 1024 && n % 1024 === 0 ? integer(n / 1024) + 'K tokens' : integer(n) + ' tokens'; }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svgEl(tag, attrs) {
    var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function option(value, text) { var o = el('option', { value: String(value) }, text); return o; }

  function positive(value, fallback) {
    var n = Math.floor(Number(value));
    return Number.isFinite(n) && n > 0 ? n : fallback;
  }

  // The estimator is loaded once the page itself is loaded, a frame of it is on screen and the browser is idle, so
  // that the widget never delays the host page's own content; a widget the reader interacts with asks for it at once.
  var pageSettled = null;
  function afterPageLoad() {
    if (!pageSettled) {
      pageSettled = new Promise(function (resolve) {
        function whenIdle() {
          if (window.requestIdleCallback) window.requestIdleCallback(function () { resolve(); }, { timeout: 1000 });
          else setTimeout(resolve, 0);
        }
        // Where the browser reports paint timing, the page's first contentful paint is awaited (it is recorded once the
        // frame is on screen); a page that paints no content, or a hidden one, goes on after 2 s.
        function afterFirstPaint(then) {
          var done = false;
          function go() { if (!done) { done = true; then(); } }
          try {
            var types = window.PerformanceObserver && PerformanceObserver.supportedEntryTypes;
            if (types && types.indexOf('paint') >= 0 && document.visibilityState !== 'hidden') {
              if (performance.getEntriesByName('first-contentful-paint').length) { go(); return; }
              var observer = new PerformanceObserver(function (list) {
                if (list.getEntriesByName('first-contentful-paint').length) { observer.disconnect(); go(); }
              });
              observer.observe({ type: 'paint', buffered: true });
              setTimeout(function () { observer.disconnect(); go(); }, 2000);
              return;
            }
          } catch (e) { /* no paint timing: the animation frames below */ }
          go();
        }
        // The second animation frame comes after the first has been drawn.
        function idle() {
          if (!window.requestAnimationFrame || document.visibilityState === 'hidden') { whenIdle(); return; }
          afterFirstPaint(function () {
            requestAnimationFrame(function () { requestAnimationFrame(function () { setTimeout(whenIdle, 0); }); });
          });
        }
        if (document.readyState === 'complete') idle();
        else window.addEventListener('load', idle, { once: true });
      });
    }
    return pageSettled;
  }

  // One shared load of the estimator for every widget on the page. fitmygpu.js may come after this file,
  // so wait for the document before giving up.
  var apiPromise = null;
  function estimator() {
    if (apiPromise) return apiPromise;
    apiPromise = new Promise(function (resolve, reject) {
      function attempt(final) {
        if (window.FitMyGPU && typeof window.FitMyGPU.ready === 'function') {
          window.FitMyGPU.ready().then(resolve, reject);
          return true;
        }
        if (final) reject(new Error('fitmygpu.js is not loaded on this page; add <script src="fitmygpu.js"> before the widget.'));
        return false;
      }
      if (attempt(false)) return;
      if (document.readyState === 'complete') { attempt(true); return; }
      window.addEventListener('load', function () { attempt(true); }, { once: true });
    });
    apiPromise.catch(function () { apiPromise = null; });
    return apiPromise;
  }

  var gpuCache = null;
  var schemaCache = null;  // the estimator's engine registry (api.schema()), read once
  // A verdict id in words, as the schema labels it.
  function verdictLabel(id) {
    var v = ((schemaCache && schemaCache.verdicts) || []).filter(function (x) { return x.id === id; })[0];
    return v ? v.label : String(id);
  }

  // ---- the engine registry: runtimes, their formats, default checkpoints and card counts ----

  function runtimeEntry(id) {
    var list = schemaCache ? schemaCache.runtimes : [];
    for (var i = 0; i < list.length; i++) if (list[i].id === id) return list[i];
    return null;
  }
  function formatFamily(id) {
    var known = (schemaCache ? schemaCache.formats : []).filter(function (f) { return f.id === id; })[0];
    if (known) return known.family;
    return String(id).indexOf(GGUF_PREFIX) === 0 ? 'gguf' : '';
  }
  // The schema's display name (every format the estimator reads is in schema.formats).
  function formatName(id) {
    var known = (schemaCache ? schemaCache.formats : []).filter(function (f) { return f.id === id; })[0];
    return known ? known.name : String(id);
  }
  function loads(rt, format) { return rt.formats.indexOf(format) >= 0 || rt.loads.indexOf(formatFamily(format)) >= 0; }
  // "Default (GGUF Q4_K_M)" or "Default (official checkpoint)": the runtime's default checkpoint for the device.
  function defaultWeightsText(rt, deviceClass) {
    var list = rt.default_weights || [];
    var d = list.filter(function (x) { return deviceClass && x.device_class === deviceClass; })[0] ||
      list.filter(function (x) { return x.device_class === '*'; })[0] || list[0];
    if (!d || d.weights === 'official') return 'Default (official checkpoint)';
    return 'Default (' + formatName(d.weights) + ')';
  }

  // A class inside this function scope: a second copy of the file defines nothing and declares nothing global.
  class FitMyGpuWidget extends HTMLElement {
    constructor() {
      super();
      this._api = null;
      this._model = null;
      this._result = null;
      this._queued = false;
      this._cause = 'attribute';
      this._reflecting = false;
      this._built = false;
    }

    static get observedAttributes() { return ['model', 'gpu', 'gpu-count', 'runtime', 'weights', 'context', 'concurrency']; }

    connectedCallback() {
      if (!this._built) this._build();
      var self = this;
      if (this._api) { this._queue('attribute'); return; }
      this._setStatus('Loading the estimator\u2026');
      var wanted = new Promise(function (resolve) {
        afterPageLoad().then(resolve);
        self.addEventListener('pointerenter', resolve, { once: true });
        self.addEventListener('focusin', resolve, { once: true });
      });
      wanted.then(estimator).then(function (api) {
        self._api = api;
        self._fillStatic();
        self._setStatus('');
        self._emit('fitmygpu-ready', { request: self.request() });
        self._queue('attribute');
      }, function (e) {
        self._showError({ code: 'load_failed', field: '', message: e && e.message ? e.message : String(e) });
        self._setStatus('');
      });
    }

    attributeChangedCallback(name, oldValue, newValue) {
      if (this._reflecting || oldValue === newValue) return;
      if (name === 'model' && this._api) this._model = null;
      this._queue('attribute');
    }

    /**
     * The request the widget sends to the estimator (the same JSON the CLI and the calculator take). Without a
     * runtime attribute it is the runtime the estimator picks for the model on the GPU (api.defaults: llama.cpp on
     * a consumer card, vLLM on a data-center card, MLX or llama.cpp on a Mac; left out until it is loaded).
     */
    request() {
      var req = {
        model: this.getAttribute('model') || '',
        gpu: this.getAttribute('gpu') || DEFAULTS.gpu,
        gpu_count: positive(this.getAttribute('gpu-count'), DEFAULTS['gpu-count']),
        runtime: this.getAttribute('runtime') || '',
        context: positive(this.getAttribute('context'), DEFAULTS.context),
        concurrency: positive(this.getAttribute('concurrency'), DEFAULTS.concurrency)
      };
      var weights = this.getAttribute('weights');
      if (weights) req.weights = weights;
      if (!req.runtime && this._api) {
        try {
          req.runtime = this._api.defaults({ model: req.model, gpu: req.gpu, gpu_count: req.gpu_count, weights: weights || undefined }).runtime;
        } catch (e) {
          req.runtime = '';  // the estimate will name what is wrong
        }
      }
      if (!req.runtime) delete req.runtime;
      return req;
    }

    /** The last answer, or null. */
    get result() { return this._result; }

    _build() {
      this._built = true;
      var root = this.shadowRoot || this.attachShadow({ mode: 'open' });
      var s = styleSheet();
      var adopted = Boolean(s && 'adoptedStyleSheets' in root);
      if (adopted) root.adoptedStyleSheets = [s];

      var uid = TAG + '-' + Math.random().toString(36).slice(2, 8);
      var controls = el('div', { class: 'controls', part: 'controls' });
      var self = this;
      function control(key, label, wide) {
        var id = uid + '-' + key;
        var box = el('div', { class: 'control' + (wide ? ' wide' : '') });
        box.appendChild(el('label', { for: id }, label));
        var select = el('select', { id: id, name: key, 'data-control': key, part: 'select ' + key });
        select.addEventListener('change', function () { self._onInput(key, select.value); });
        box.appendChild(select);
        controls.appendChild(box);
        return select;
      }
      this._ui = {};
      this._ui.gpu = control('gpu', 'GPU', true);
      this._ui['gpu-count'] = control('gpu-count', 'Cards');
      this._ui.context = control('context', 'Context');
      this._ui.runtime = control('runtime', 'Engine');
      this._ui.weights = control('weights', 'Weights');

      var result = el('div', { class: 'result', part: 'result', 'aria-live': 'polite' });
      this._ui.status = el('p', { class: 'status', part: 'status' });
      this._ui.verdict = el('p', { class: 'verdict', part: 'verdict', 'data-testid': 'widget-verdict' }, '\u2014');
      this._ui.required = el('p', { class: 'required', part: 'required', 'data-testid': 'widget-required' });
      this._ui.meter = svgEl('svg', { class: 'meter', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false', part: 'meter' });
      this._ui.meterFill = svgEl('rect', { class: 'fill', x: '0', y: '0', height: '10', width: '0' });
      this._ui.meter.appendChild(this._ui.meterFill);
      this._ui.figures = el('dl', { class: 'figures', part: 'figures' });
      this._ui.error = el('p', { class: 'error', role: 'alert', part: 'error', hidden: '' });
      [this._ui.status, this._ui.verdict, this._ui.required, this._ui.meter, this._ui.figures, this._ui.error].forEach(function (n) { result.appendChild(n); });

      while (root.firstChild) root.removeChild(root.firstChild);
      if (!adopted) root.appendChild(el('style', null, CSS));  // old browsers; a strict CSP blocks this, the widget still works
      root.appendChild(controls);
      root.appendChild(result);
    }

    _fillStatic() {
      var ui = this._ui;
      if (!schemaCache) schemaCache = this._api.schema();
      if (!gpuCache) gpuCache = this._api.gpus().slice().sort(function (a, b) { return a.name.localeCompare(b.name, 'en', { numeric: true }); });
      var vendors = {};
      gpuCache.forEach(function (g) {
        var v = g.vendor || 'Other';
        (vendors[v] = vendors[v] || []).push(option(g.id, g.name + (typeof g.memory_mib === 'number' ? ' (' + gib(g.memory_mib * 1048576) + ')' : '')));
      });
      ui.gpu.replaceChildren();
      Object.keys(vendors).sort().forEach(function (v) {
        var group = el('optgroup', { label: v });
        vendors[v].forEach(function (o) { group.appendChild(o); });
        ui.gpu.appendChild(group);
      });
      ui.runtime.replaceChildren();
      schemaCache.runtimes.forEach(function (r) { ui.runtime.appendChild(option(r.id, r.name)); });
    }

    // Menus that depend on the model, the engine and the GPU: cards, weights and context.
    _fillForModel(req) {
      var ui = this._ui;
      var m = this._model;
      var rt = runtimeEntry(req.runtime);
      var gpu = (gpuCache || []).filter(function (g) { return g.id === req.gpu; })[0];

      // Cards: the counts the estimator tries for this runtime (any count for layer splitters, tensor-parallel
      // sizes for the others), plus the one asked for.
      var counts = rt ? rt.card_counts.slice() : [];
      if (counts.indexOf(req.gpu_count) < 0) counts.push(req.gpu_count);
      counts.sort(function (a, b) { return a - b; });
      ui['gpu-count'].replaceChildren();
      counts.forEach(function (n) { ui['gpu-count'].appendChild(option(n, String(n))); });

      // Weights: the model's published checkpoints the runtime loads, then every other format it loads.
      var published = rt ? (m.formats || []).filter(function (f) { return loads(rt, f); }) : [];
      var others = rt ? rt.formats : [];
      var seen = {};
      ui.weights.replaceChildren(option('', rt ? defaultWeightsText(rt, gpu && gpu['class']) : 'Default'));
      [['Published for this model', published], ['Other formats', others]].forEach(function (pair) {
        var group = el('optgroup', { label: pair[0] });
        pair[1].forEach(function (f) {
          if (seen[f]) return;
          seen[f] = true;
          group.appendChild(option(f, formatName(f)));
        });
        if (group.children.length) ui.weights.appendChild(group);
      });
      if (req.weights && !seen[req.weights]) ui.weights.appendChild(option(req.weights, formatName(req.weights)));

      var windowTokens = m.context_window || 0;
      var list = CONTEXTS.filter(function (c) { return !windowTokens || c <= windowTokens; });
      if (windowTokens && list.indexOf(windowTokens) < 0) list.push(windowTokens);
      if (list.indexOf(req.context) < 0) list.push(req.context);
      list.sort(function (a, b) { return a - b; });
      ui.context.replaceChildren();
      list.forEach(function (c) { ui.context.appendChild(option(c, tokens(c) + (c === windowTokens ? ' (full window)' : ''))); });
    }

    _onInput(key, value) {
      this._reflecting = true;
      try {
        if (value === '' || value === null) this.removeAttribute(key);
        else this.setAttribute(key, value);
        if (key === 'runtime') this.removeAttribute('weights');  // each engine has its own default format
      } finally {
        this._reflecting = false;
      }
      this._queue('input');
    }

    _queue(cause) {
      if (cause === 'input') this._cause = 'input';
      if (this._queued) return;
      this._queued = true;
      var self = this;
      Promise.resolve().then(function () {
        self._queued = false;
        var c = self._cause;
        self._cause = 'attribute';
        self._update(c);
      });
    }

    _update(cause) {
      if (!this._api || !this.isConnected) return;
      var req = this.request();
      if (!this._model || this._model.id !== req.model) {
        this._model = null;
        var found = this._api.models().filter(function (m) { return m.id === req.model; })[0];
        if (!found) {
          this._clear();
          var unknown = { code: 'unknown_model', field: 'model', message: 'The model "' + req.model + '" is not in the FitMyGPU catalog.' };
          this._showError(unknown);
          this._emit('fitmygpu-error', { request: req, error: unknown });
          return;
        }
        this._model = found;
      }
      this._fillForModel(req);
      var ui = this._ui;
      ui.gpu.value = req.gpu;
      ui['gpu-count'].value = String(req.gpu_count);
      ui.runtime.value = req.runtime;
      ui.weights.value = req.weights || '';
      ui.context.value = String(req.context);

      var r;
      try {
        r = this._api.estimate(req);
      } catch (e) {
        var err = { code: e.code || 'error', field: e.field || '', message: e.message || String(e) };
        this._clear();
        this._showError(err);
        this._emit('fitmygpu-error', { request: req, error: err });
        return;
      }
      this._result = r;
      this._show(r, req);
      this._emit('fitmygpu-result', { request: req, result: r, cause: cause });
    }

    _clear() {
      this._result = null;
      this._ui.verdict.textContent = '\u2014';
      this._ui.verdict.removeAttribute('data-verdict');
      this._ui.required.textContent = '';
      this._ui.meterFill.setAttribute('width', '0');
      this._ui.figures.replaceChildren();
    }

    // The estimator's message names the field itself (err.field says which, for scripts): shown as it is.
    _showError(err) {
      this._ui.error.textContent = err.message;
      this._ui.error.hidden = false;
    }

    _setStatus(text) {
      this._ui.status.textContent = text;
      this._ui.status.hidden = !text;
    }

    _show(r, req) {
      var ui = this._ui;
      ui.error.hidden = true;
      ui.error.textContent = '';
      var worst = r.devices.reduce(function (a, d) { return !a || d.required_bytes > a.required_bytes ? d : a; }, null);
      ui.verdict.textContent = VERDICT_TEXT[r.verdict] || verdictLabel(r.verdict);
      ui.verdict.setAttribute('data-verdict', r.verdict);
      ui.meter.setAttribute('data-verdict', r.verdict);
      if (worst) {
        var per = r.devices.length > 1 ? ' per card' : '';
        ui.required.textContent = 'Needs ' + gib(worst.required_bytes) + per + ' of a ' + gib(worst.budget_bytes) + ' budget (' + gib(worst.capacity_bytes) + ' card)';
        ui.required.setAttribute('data-bytes', String(worst.required_bytes));
        var share = worst.budget_bytes > 0 ? Math.min(worst.required_bytes / worst.budget_bytes, 1) : 1;
        ui.meterFill.setAttribute('width', (share * 100).toFixed(2));
      }
      var weights = r.devices.reduce(function (s, d) { return s + (d.components.weights || 0); }, 0) + ((r.host && r.host.components && r.host.components.weights) || 0);
      var rows = [
        ['Weights', gib(weights), 'weights'],
        ['KV cache at ' + tokens(req.context) + (req.concurrency > 1 ? ' \u00d7 ' + req.concurrency : ''), gib(r.kv_cache.required_bytes), 'kv'],
        ['Largest context that fits', r.limits.max_context > 0 ? integer(r.limits.max_context) + ' tokens' : 'none', 'max-context']
      ];
      if (r.speed && r.speed.decode_tokens_per_s > 0 && r.fits) rows.push(['Decode speed (roofline)', '\u2248 ' + integer(r.speed.decode_tokens_per_s) + ' tokens/s', 'speed']);
      ui.figures.replaceChildren();
      rows.forEach(function (row) {
        ui.figures.appendChild(el('dt', null, row[0]));
        ui.figures.appendChild(el('dd', { 'data-figure': row[2] }, row[1]));
      });
    }

    _emit(type, detail) {
      this.dispatchEvent(new CustomEvent(type, { detail: detail, bubbles: true, composed: true }));
    }
  }

  window.customElements.define(TAG, FitMyGpuWidget);
})();
