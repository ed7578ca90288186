// Display units. The estimator answers in bytes; the page shows GiB (2^30 bytes, what nvidia-smi, CUDA and the
// engines report) or GB (10^9 bytes, how vendors label cards), always with the unit written next to the number.
(function (page) {
  'use strict';

  var UNITS = {
    gib: { id: 'gib', name: 'GiB', bytes: 1073741824, long: '1 GiB = 2^30 bytes' },
    gb: { id: 'gb', name: 'GB', bytes: 1e9, long: '1 GB = 10^9 bytes' },
  };
  var current = UNITS.gib;

  var MINUS = '\u2212';

  function setUnit(id) { current = UNITS[id] || UNITS.gib; }

  // Numbers and names are written and ordered here without Intl: the first Intl.NumberFormat or Intl.Collator of a page
  // loads the locale's data (50 to 100 ms each on a slow machine), which was the largest single step before the first
  // verdict. Numbers follow en-US as NumberFormat writes them: the number's shortest decimal form (String(n)) rounded
  // half away from zero, commas between groups of three integer digits.
  function format(n, minDigits, maxDigits) {
    if (!isFinite(n) || Math.abs(n) >= 1e21) return String(n);
    var text = Math.abs(n) < 1e-6 ? '0' : String(Math.abs(n));
    var dot = text.indexOf('.');
    var whole = dot < 0 ? text : text.slice(0, dot);
    var fraction = dot < 0 ? '' : text.slice(dot + 1);
    if (fraction.length > maxDigits) {
      var up = fraction.charAt(maxDigits) >= '5';
      var digits = (whole + fraction.slice(0, maxDigits)).split('');
      for (var k = digits.length - 1; up && k >= 0; k--) {
        if (digits[k] === '9') digits[k] = '0';
        else {
          digits[k] = String(Number(digits[k]) + 1);
          up = false;
        }
      }
      var all = (up ? '1' : '') + digits.join('');
      whole = all.slice(0, all.length - maxDigits).replace(/^0+(?=\d)/, '') || '0';
      fraction = all.slice(all.length - maxDigits);
    }
    while (fraction.length < minDigits) fraction += '0';
    while (fraction.length > minDigits && fraction.charAt(fraction.length - 1) === '0') fraction = fraction.slice(0, -1);
    var out = whole.replace(/\B(?=(\d{3})+$)/g, ',') + (fraction ? '.' + fraction : '');
    return (n < 0 && /[1-9]/.test(out) ? '-' : '') + out;
  }
  // Names in natural order ("RTX 3090" before "RTX 4090", "8B" before "70B"), as Intl.Collator('en', {numeric: true})
  // orders ASCII text: runs of digits by their value; other characters by the root collation's order (white space,
  // punctuation and symbols, then digits, then letters), letters without regard to case; then, between names equal so
  // far, lowercase before uppercase. `ignoreCase` (the collator's sensitivity 'base') leaves out that last step.
  var ORDER = ' _-,;:!?.\'"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz';
  function rank(c) {
    var i = ORDER.indexOf(c.toLowerCase());
    return i < 0 ? ORDER.length + c.toLowerCase().charCodeAt(0) : i;
  }
  function isDigit(c) { return c >= '0' && c <= '9'; }
  function compareNames(a, b, ignoreCase) {
    var x = String(a);
    var y = String(b);
    var i = 0;
    var j = 0;
    while (i < x.length && j < y.length) {
      if (isDigit(x.charAt(i)) && isDigit(y.charAt(j))) {
        var i0 = i;
        var j0 = j;
        while (i < x.length && isDigit(x.charAt(i))) i++;
        while (j < y.length && isDigit(y.charAt(j))) j++;
        var d = Number(x.slice(i0, i)) - Number(y.slice(j0, j));
        if (d) return d < 0 ? -1 : 1;
        continue;
      }
      var r = rank(x.charAt(i)) - rank(y.charAt(j));
      if (r) return r < 0 ? -1 : 1;
      i++;
      j++;
    }
    if (x.length - i !== y.length - j) return x.length - i < y.length - j ? -1 : 1;
    if (ignoreCase) return 0;
    for (var k = 0; k < Math.min(x.length, y.length); k++) {
      var ca = x.charAt(k);
      var cb = y.charAt(k);
      if (ca === cb) continue;
      var lowerA = ca === ca.toLowerCase();
      var lowerB = cb === cb.toLowerCase();
      if (lowerA !== lowerB) return lowerA ? -1 : 1;
    }
    return 0;
  }
  function unit() { return current; }

  // A size in the current unit with two decimals ("16.89 GiB"); "<0.01 GiB" for a few bytes, so nothing
  // that exists reads as zero.
  function number(bytes, decimals) {
    var d = decimals === undefined ? 2 : decimals;
    var value = bytes / current.bytes;
    var text = format(Math.abs(value), d, d);
    if (bytes !== 0 && Number(text.replace(/,/g, '')) === 0) return (value < 0 ? MINUS : '') + '<' + (1 / Math.pow(10, d)).toFixed(d);
    return (value < 0 ? MINUS : '') + text;
  }
  function size(bytes, decimals) { return number(bytes, decimals) + ' ' + current.name; }
  // A signed size: "+4.27 GiB" or "−2.10 GiB".
  function signedSize(bytes) { return (bytes > 0 ? '+' : '') + size(bytes); }

  // Small sizes (per token, per block) in the matching smaller unit: KiB/MiB with GiB, kB/MB with GB.
  function smallSize(bytes) {
    var k = current.id === 'gib' ? 1024 : 1000;
    var names = current.id === 'gib' ? ['B', 'KiB', 'MiB'] : ['B', 'kB', 'MB'];
    var i = bytes >= k * k ? 2 : bytes >= k ? 1 : 0;
    var v = bytes / Math.pow(k, i);
    return format(v, 0, i === 0 ? 0 : 2) + ' ' + names[i];
  }

  function integer(n) { return format(Math.round(n), 0, 0); }
  // A count with its noun: "1 request", "4,096 tokens", "2 matches".
  function plural(n, one, many) { return integer(n) + ' ' + (Math.round(n) === 1 ? one : many || one + 's'); }
  function decimal(n, digits) { return format(Number(n), 0, digits === undefined ? 2 : digits); }

  // Token counts: "4,096 tokens"; compact labels for axes and presets: 4K, 128K, 1M (powers of two, as
  // context windows are written).
  function tokensShort(n) {
    if (n >= 1048576 && n % 1048576 === 0) return n / 1048576 + 'M';
    if (n >= 1024 && n % 1024 === 0) return n / 1024 + 'K';
    if (n >= 1e6) return decimal(n / 1e6, 1) + 'M';
    if (n >= 1e4) return decimal(n / 1e3, 0) + 'k';
    return integer(n);
  }

  // Parameter counts: 8.03B, 671B, 494M.
  function params(n) {
    if (!(n > 0)) return '';
    if (n >= 1e12) return decimal(n / 1e12, 2) + 'T';
    if (n >= 1e9) return decimal(n / 1e9, n >= 1e11 ? 0 : n >= 1e10 ? 1 : 2) + 'B';
    return decimal(n / 1e6, 0) + 'M';
  }

  page.units = {
    all: UNITS,
    setUnit: setUnit,
    unit: unit,
    number: number,
    size: size,
    signedSize: signedSize,
    smallSize: smallSize,
    integer: integer,
    plural: plural,
    decimal: decimal,
    tokensShort: tokensShort,
    params: params,
    compareNames: compareNames,
    MINUS: MINUS,
  };
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
