// "What fits this setup": the estimator's compare answer (the same setup on every catalog GPU) as a sortable,
// filterable table. Column headers are buttons (keyboard and screen-reader friendly, aria-sort on the header
// cell); a GPU's name is a button that picks it.
(function (page) {
  'use strict';

  var STATUS_ORDER = { fits: 0, tight: 1, does_not_fit: 2, error: 3 };
  var STATUS_TEXT = { fits: 'Fits', tight: 'Tight', does_not_fit: 'Does not fit', error: 'Cannot run' };
  var CLASS_TEXT = { consumer: 'Consumer', workstation: 'Workstation', datacenter: 'Data center', apple: 'Apple silicon', integrated: 'Integrated', custom: 'Custom' };

  function statusOf(row) { return row.error ? 'error' : row.verdict; }

  // cards: the card counts compare tried for fewest_gpus (the runtime's card_counts in the estimator's schema).
  function columns(cards) {
    var u = page.units;
    var most = cards[cards.length - 1];
    var tried = cards.length > 1 ? cards.slice(0, -1).join(', ') + ' or ' + most : String(most);
    return [
      { key: 'name', label: 'GPU', type: 'text', value: function (r) { return r.name; } },
      { key: 'memory', label: u.unit().name, num: true, value: function (r) { return r.memory_bytes; }, show: function (r) { return u.number(r.memory_bytes); }, title: 'Memory the driver reports' },
      // Status sorts fitting GPUs first, the smallest card first: the cheapest answer on top.
      { key: 'status', label: 'Status', value: function (r) { return STATUS_ORDER[statusOf(r)] * 1e15 + r.memory_bytes; } },
      { key: 'headroom', label: 'Headroom', title: 'Least headroom on any card, ' + u.unit().name, num: true, value: function (r) { return r.headroom_bytes === undefined ? -Infinity : r.headroom_bytes; },
        show: function (r) { return r.headroom_bytes === undefined ? '\u2014' : (r.headroom_bytes > 0 ? '+' : '') + u.number(r.headroom_bytes); } },
      { key: 'concurrency', label: 'Max conc.', title: 'Requests of this context served at once', num: true, value: function (r) { return r.max_concurrency === undefined ? -1 : r.max_concurrency; },
        show: function (r) { return r.max_concurrency === undefined ? '\u2014' : u.decimal(r.max_concurrency, r.max_concurrency >= 100 ? 0 : 2); } },
      { key: 'fewest', label: 'Cards', title: 'Fewest cards of this GPU that fit (' + tried + ')', num: true,
        value: function (r) { return r.fewest_gpus === null || r.fewest_gpus === undefined ? Infinity : r.fewest_gpus; },
        show: function (r) { return r.fewest_gpus === null || r.fewest_gpus === undefined ? 'over ' + most : String(r.fewest_gpus); } },
      { key: 'bandwidth', label: 'GB/s', title: 'Memory bandwidth', num: true, value: function (r) { return r.bandwidth_gbps || 0; }, show: function (r) { return r.bandwidth_gbps ? u.integer(r.bandwidth_gbps) : '\u2014'; } },
    ];
  }

  // options: onPick(gpu id) when a GPU's name is clicked; cardCounts() → the card counts compare tried.
  function create(table, options) {
    var sort = { key: 'status', dir: 1 };
    var rows = [];
    var selected = '';
    var filters = { fitsOnly: false, vendor: '' };

    function header() {
      var tr = document.createElement('tr');
      columns(options.cardCounts()).forEach(function (col) {
        var th = document.createElement('th');
        th.scope = 'col';
        if (col.num) th.className = 'num';
        th.setAttribute('aria-sort', sort.key === col.key ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none');
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'sort';
        b.textContent = col.label;
        if (col.title) b.title = col.title;
        var arrow = document.createElement('span');
        arrow.className = 'sort-arrow';
        arrow.setAttribute('aria-hidden', 'true');
        arrow.textContent = sort.key === col.key ? (sort.dir > 0 ? ' \u25b2' : ' \u25bc') : '';
        b.appendChild(arrow);
        b.setAttribute('data-sort', col.key);
        b.addEventListener('click', function () {
          if (sort.key === col.key) sort.dir = -sort.dir;
          else sort = { key: col.key, dir: col.type === 'text' || col.key === 'status' || col.key === 'fewest' ? 1 : -1 };
          render();
          var again = table.querySelector('button[data-sort="' + col.key + '"]');
          if (again) again.focus();
        });
        th.appendChild(b);
        tr.appendChild(th);
      });
      table.tHead.replaceChildren(tr);
    }

    function body() {
      var cols = columns(options.cardCounts());
      var col = cols.filter(function (c) { return c.key === sort.key; })[0] || cols[2];
      var shown = rows.filter(function (r) {
        if (filters.fitsOnly && (r.error || !r.fits)) return false;
        if (filters.vendor && r.vendor !== filters.vendor) return false;
        return true;
      });
      shown.sort(function (a, b) {
        var va = col.value(a), vb = col.value(b);
        var c = typeof va === 'string' ? page.units.compareNames(va, vb) : va < vb ? -1 : va > vb ? 1 : 0;
        if (c === 0) c = a.memory_bytes - b.memory_bytes || page.units.compareNames(a.name, b.name);
        return c * (col.key === sort.key ? sort.dir : 1);
      });
      var trs = shown.map(function (r) {
        var tr = document.createElement('tr');
        tr.setAttribute('data-gpu', r.gpu);
        var status = statusOf(r);
        if (r.gpu === selected) {
          tr.className = 'selected';
          tr.setAttribute('aria-current', 'true');
        }
        cols.forEach(function (c) {
          var td = document.createElement(c.key === 'name' ? 'th' : 'td');
          if (c.key === 'name') {
            td.scope = 'row';
            var pick = document.createElement('button');
            pick.type = 'button';
            pick.className = 'link';
            pick.textContent = r.name;
            pick.title = 'Use ' + r.name + ' (' + (CLASS_TEXT[r.class] || r.class || r.vendor) + ')';
            pick.addEventListener('click', function () { options.onPick(r.gpu); });
            td.appendChild(pick);
          } else if (c.key === 'status') {
            var badge = document.createElement('span');
            badge.className = 'badge badge-' + status;
            badge.textContent = STATUS_TEXT[status] || page.knobs.verdictLabel(status);
            if (r.error) badge.title = r.error;
            td.appendChild(badge);
          } else {
            td.textContent = c.show(r);
          }
          if (c.num) td.className = 'num';
          td.setAttribute('data-label', c.label);
          if (c.key === 'headroom') td.classList.add(r.headroom_bytes < 0 ? 'negative' : 'positive');
          tr.appendChild(td);
        });
        return tr;
      });
      if (!trs.length) {
        var tr = document.createElement('tr');
        var td = document.createElement('td');
        td.colSpan = cols.length;
        td.className = 'empty';
        td.textContent = 'No GPU matches these filters.';
        tr.appendChild(td);
        trs.push(tr);
      }
      table.tBodies[0].replaceChildren.apply(table.tBodies[0], trs);
    }

    function render() {
      header();
      body();
    }

    return {
      update: function (newRows, selectedGpu) {
        rows = newRows || [];
        selected = selectedGpu;
        render();
      },
      select: function (gpu) {
        selected = gpu;
        body();
      },
      setFilters: function (f) {
        filters = f;
        body();
      },
      render: render,
      statusText: STATUS_TEXT,
      classText: CLASS_TEXT,
    };
  }

  page.gpuTable = { create: create, STATUS_TEXT: STATUS_TEXT, CLASS_TEXT: CLASS_TEXT };
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
