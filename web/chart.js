// The result's two charts, as inline SVG (no library); colours come from style.css, numbers from the estimator:
//   render       memory against context length: the memory the setup needs on its most loaded device at a
//                handful of context lengths (one estimate each, extras.js), with its budget and capacity drawn across
//   renderSpeed  decode speed against concurrency: per-request and total tokens/s at 1, 2, 4, ... requests, from the
//                estimate's speed.by_concurrency, with the asked concurrency and what the KV cache holds marked
(function (page) {
  'use strict';

  var SVG = 'http://www.w3.org/2000/svg';
  var M = { top: 16, right: 16, bottom: 40, left: 52 };

  function node(name, attrs, text) {
    var n = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) n.textContent = text;
    return n;
  }

  // Round tick steps: 1, 2, 2.5, 5 × 10^k of the display unit.
  function niceStep(range, ticks) {
    var raw = range / Math.max(ticks, 1);
    var p = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= raw) return steps[i] * p;
    return 10 * p;
  }

  // data: { points: [{context, bytes, fits}], capacity, budget, current: {context, bytes}, maxContext, deviceName }
  function render(container, data) {
    var units = page.units;
    var unit = units.unit();
    // Drawn at the container's own width, so text keeps its size on a phone (extras.js redraws on resize).
    var W = Math.max(300, Math.min(900, container.clientWidth || 640));
    var H = W < 500 ? 240 : 280;
    container.replaceChildren();
    var points = data.points.filter(function (p) { return p.bytes >= 0; });
    if (points.length < 2) {
      var empty = document.createElement('p');
      empty.className = 'hint';
      empty.textContent = 'Not enough points to draw: the estimator could not answer at these context lengths.';
      container.appendChild(empty);
      return;
    }
    var xs = points.map(function (p) { return p.context; });
    var x0 = Math.log2(Math.min.apply(null, xs)), x1 = Math.log2(Math.max.apply(null, xs));
    if (x1 <= x0) x1 = x0 + 1;
    var ymaxBytes = Math.max(data.capacity || 0, data.budget || 0, Math.max.apply(null, points.map(function (p) { return p.bytes; })));
    var ymax = ymaxBytes / unit.bytes * 1.08;
    var step = niceStep(ymax, 5);
    ymax = Math.ceil(ymax / step) * step;
    var pw = W - M.left - M.right, ph = H - M.top - M.bottom;
    var sx = function (c) { return M.left + (Math.log2(c) - x0) / (x1 - x0) * pw; };
    var sy = function (bytes) { return M.top + ph - bytes / unit.bytes / ymax * ph; };

    var title = 'Memory needed against context length';
    var desc = 'Required memory on ' + data.deviceName + ' from ' + units.integer(xs[0]) + ' to ' + units.integer(xs[xs.length - 1]) +
      ' tokens per request: ' + units.size(points[0].bytes) + ' to ' + units.size(points[points.length - 1].bytes) +
      (data.budget ? '; budget ' + units.size(data.budget) : '') + (data.capacity ? '; capacity ' + units.size(data.capacity) : '') + '.';
    var svg = node('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-labelledby': 'chart-svg-title chart-svg-desc', class: 'chart-svg' });
    svg.appendChild(node('title', { id: 'chart-svg-title' }, title));
    svg.appendChild(node('desc', { id: 'chart-svg-desc' }, desc));

    // Grid and axes.
    var grid = node('g', { class: 'chart-grid' });
    for (var v = 0; v <= ymax + 1e-9; v += step) {
      var y = sy(v * unit.bytes);
      grid.appendChild(node('line', { x1: M.left, x2: W - M.right, y1: y, y2: y }));
      grid.appendChild(node('text', { x: M.left - 6, y: y + 4, 'text-anchor': 'end', class: 'chart-tick' }, units.decimal(v, step < 1 ? 2 : step < 10 ? 1 : 0)));
    }
    xs.forEach(function (c) {
      var x = sx(c);
      grid.appendChild(node('line', { x1: x, x2: x, y1: M.top, y2: M.top + ph, class: 'chart-vgrid' }));
      grid.appendChild(node('text', { x: x, y: H - M.bottom + 16, 'text-anchor': 'middle', class: 'chart-tick' }, units.tokensShort(c)));
    });
    grid.appendChild(node('text', { x: M.left + pw / 2, y: H - 6, 'text-anchor': 'middle', class: 'chart-axis' }, 'context length, tokens per request (log scale)'));
    grid.appendChild(node('text', { x: 12, y: M.top + ph / 2, 'text-anchor': 'middle', class: 'chart-axis', transform: 'rotate(-90 12 ' + (M.top + ph / 2) + ')' }, unit.name));
    svg.appendChild(grid);

    // Capacity and budget.
    // Labels sit at the left end, where the curve is lowest; the budget label goes under its line when the two
    // lines are close.
    if (data.capacity) {
      var yc = sy(data.capacity);
      svg.appendChild(node('line', { x1: M.left, x2: W - M.right, y1: yc, y2: yc, class: 'chart-capacity' }));
      svg.appendChild(node('text', { x: M.left + 6, y: yc - 5, class: 'chart-capacity-label' }, 'capacity ' + units.size(data.capacity)));
    }
    if (data.budget && Math.abs(data.budget - data.capacity) > data.capacity * 0.005) {
      var yb = sy(data.budget);
      svg.appendChild(node('line', { x1: M.left, x2: W - M.right, y1: yb, y2: yb, class: 'chart-budget' }));
      svg.appendChild(node('text', { x: M.left + 6, y: data.capacity && Math.abs(yb - sy(data.capacity)) < 16 ? yb + 14 : yb - 5, class: 'chart-budget-label' },
        'engine budget ' + units.size(data.budget)));
    }

    // The largest context that still fits at this concurrency.
    if (data.maxContext > 0 && Math.log2(data.maxContext) >= x0 && Math.log2(data.maxContext) <= x1) {
      var xm = sx(data.maxContext);
      svg.appendChild(node('line', { x1: xm, x2: xm, y1: M.top, y2: M.top + ph, class: 'chart-max' }));
      svg.appendChild(node('text', { x: xm + 4, y: M.top + 12, class: 'chart-max-label', 'text-anchor': xm > W - 140 ? 'end' : 'start', dx: xm > W - 140 ? -8 : 0 },
        'max ' + units.integer(data.maxContext)));
    }

    // The curve, with its area.
    var d = points.map(function (p, i) { return (i ? 'L' : 'M') + sx(p.context).toFixed(1) + ' ' + sy(p.bytes).toFixed(1); }).join(' ');
    var base = sy(0).toFixed(1);
    svg.appendChild(node('path', { d: d + ' L' + sx(points[points.length - 1].context).toFixed(1) + ' ' + base + ' L' + sx(points[0].context).toFixed(1) + ' ' + base + ' Z', class: 'chart-area' }));
    svg.appendChild(node('path', { d: d, class: 'chart-line' }));
    points.forEach(function (p) {
      var dot = node('circle', { cx: sx(p.context), cy: sy(p.bytes), r: 3.5, class: p.fits ? 'chart-dot' : 'chart-dot chart-dot-over' });
      dot.appendChild(node('title', {}, units.integer(p.context) + ' tokens: ' + units.size(p.bytes) + (p.fits ? '' : ' (does not fit)')));
      svg.appendChild(dot);
    });

    // Where the current setup sits.
    if (data.current && data.current.context > 0 && Math.log2(data.current.context) >= x0 - 1e-9 && Math.log2(data.current.context) <= x1 + 1e-9) {
      var cx = sx(data.current.context), cy = sy(data.current.bytes);
      svg.appendChild(node('circle', { cx: cx, cy: cy, r: 6, class: 'chart-current' }));
      svg.appendChild(node('text', { x: cx, y: cy - 10, 'text-anchor': cx < M.left + 40 ? 'start' : cx > W - M.right - 40 ? 'end' : 'middle', class: 'chart-current-label' },
        'you: ' + units.size(data.current.bytes)));
    }
    container.appendChild(svg);
  }

  // data: { points: [{concurrency, running, decode_tokens_per_s, total_decode_tokens_per_s}], asked, pool }
  // Both lines are tokens/s on one log scale (per request falls and total rises as requests are added).
  function renderSpeed(container, data) {
    var units = page.units;
    var W = Math.max(300, Math.min(900, container.clientWidth || 640));
    var H = W < 500 ? 240 : 280;
    container.replaceChildren();
    var points = data.points.filter(function (p) { return p.decode_tokens_per_s > 0 && p.total_decode_tokens_per_s > 0; });
    if (points.length < 2) {
      var empty = document.createElement('p');
      empty.className = 'hint';
      empty.textContent = 'No speed curve: the estimator has no speed figure for this setup (see the assumptions).';
      container.appendChild(empty);
      return;
    }
    var xs = points.map(function (p) { return p.concurrency; });
    var x0 = Math.log2(xs[0]), x1 = Math.log2(xs[xs.length - 1]);
    if (x1 <= x0) x1 = x0 + 1;
    var ys = [];
    points.forEach(function (p) { ys.push(p.decode_tokens_per_s, p.total_decode_tokens_per_s); });
    var y0 = Math.floor(Math.log10(Math.min.apply(null, ys))), y1 = Math.ceil(Math.log10(Math.max.apply(null, ys)));
    if (y1 <= y0) y1 = y0 + 1;
    var pw = W - M.left - M.right, ph = H - M.top - M.bottom;
    var sx = function (c) { return M.left + (Math.log2(c) - x0) / (x1 - x0) * pw; };
    var sy = function (v) { return M.top + ph - (Math.log10(v) - y0) / (y1 - y0) * ph; };
    var rate = function (v) { return units.decimal(v, v >= 100 ? 0 : 1) + ' tokens/s'; };

    var first = points[0], last = points[points.length - 1];
    var svg = node('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-labelledby': 'speed-svg-title speed-svg-desc', class: 'chart-svg' });
    svg.appendChild(node('title', { id: 'speed-svg-title' }, 'Decode speed against concurrency'));
    svg.appendChild(node('desc', { id: 'speed-svg-desc' }, 'From ' + units.plural(first.concurrency, 'request') + ' to ' + units.plural(last.concurrency, 'request') +
      ': per request ' + rate(first.decode_tokens_per_s) + ' to ' + rate(last.decode_tokens_per_s) + ', all together ' + rate(first.total_decode_tokens_per_s) +
      ' to ' + rate(last.total_decode_tokens_per_s) + '.'));

    var grid = node('g', { class: 'chart-grid' });
    for (var e = y0; e <= y1; e++) {
      var y = sy(Math.pow(10, e));
      grid.appendChild(node('line', { x1: M.left, x2: W - M.right, y1: y, y2: y }));
      grid.appendChild(node('text', { x: M.left - 6, y: y + 4, 'text-anchor': 'end', class: 'chart-tick' }, units.integer(Math.pow(10, e))));
    }
    xs.forEach(function (c) {
      var x = sx(c);
      grid.appendChild(node('line', { x1: x, x2: x, y1: M.top, y2: M.top + ph, class: 'chart-vgrid' }));
      grid.appendChild(node('text', { x: x, y: H - M.bottom + 16, 'text-anchor': 'middle', class: 'chart-tick' }, units.integer(c)));
    });
    grid.appendChild(node('text', { x: M.left + pw / 2, y: H - 6, 'text-anchor': 'middle', class: 'chart-axis' }, 'requests at once (log scale)'));
    grid.appendChild(node('text', { x: 12, y: M.top + ph / 2, 'text-anchor': 'middle', class: 'chart-axis', transform: 'rotate(-90 12 ' + (M.top + ph / 2) + ')' }, 'tokens/s (log)'));
    svg.appendChild(grid);

    // Beyond what the KV cache holds, more requests only wait.
    if (data.pool > 0 && Math.log2(data.pool) >= x0 && Math.log2(data.pool) < x1) {
      var xp = sx(data.pool);
      svg.appendChild(node('line', { x1: xp, x2: xp, y1: M.top, y2: M.top + ph, class: 'chart-max' }));
      svg.appendChild(node('text', { x: xp + 4, y: M.top + 12, class: 'chart-max-label', 'text-anchor': xp > W - 160 ? 'end' : 'start', dx: xp > W - 160 ? -8 : 0 },
        'KV cache holds ' + units.integer(data.pool)));
    }

    [['total_decode_tokens_per_s', 'chart-line chart-line-total', 'all requests'], ['decode_tokens_per_s', 'chart-line', 'per request']].forEach(function (line) {
      var key = line[0];
      var d = points.map(function (p, i) { return (i ? 'L' : 'M') + sx(p.concurrency).toFixed(1) + ' ' + sy(p[key]).toFixed(1); }).join(' ');
      svg.appendChild(node('path', { d: d, class: line[1] }));
      points.forEach(function (p) {
        var dot = node('circle', { cx: sx(p.concurrency), cy: sy(p[key]), r: 3, class: key === 'decode_tokens_per_s' ? 'chart-dot' : 'chart-dot chart-dot-total' });
        dot.appendChild(node('title', {}, units.plural(p.concurrency, 'request') + ': ' + rate(p[key]) + ' ' + line[2] +
          (p.running < p.concurrency ? ' (' + units.integer(p.running) + ' running, the rest waiting)' : '')));
        svg.appendChild(dot);
      });
      var end = points[points.length - 1];
      svg.appendChild(node('text', { x: sx(end.concurrency) - 4, y: sy(end[key]) + (key === 'decode_tokens_per_s' ? 16 : -8), 'text-anchor': 'end', class: 'chart-line-label' }, line[2]));
    });

    var you = points.filter(function (p) { return p.concurrency === data.asked; })[0];
    if (you) {
      var cx = sx(you.concurrency), cy = sy(you.decode_tokens_per_s);
      svg.appendChild(node('circle', { cx: cx, cy: cy, r: 6, class: 'chart-current' }));
      svg.appendChild(node('text', { x: cx, y: cy - 10, 'text-anchor': cx < M.left + 40 ? 'start' : cx > W - M.right - 40 ? 'end' : 'middle', class: 'chart-current-label' },
        'you: ' + rate(you.decode_tokens_per_s)));
    }
    container.appendChild(svg);
  }

  page.chart = { render: render, renderSpeed: renderSpeed };
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
