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

  // Number formats and the name collation, each made once: toLocaleString and localeCompare with options build a new
  // Intl object on every call, which made filling the GPU menu and sorting the model menu the slowest part of start-up.
  var formats = {};
  function format(n, minDigits, maxDigits) {
    var key = minDigits + ',' + maxDigits;
    if (!formats[key]) formats[key] = new Intl.NumberFormat('en-US', { minimumFractionDigits: minDigits, maximumFractionDigits: maxDigits });
    return formats[key].format(n);
  }
  // Names in natural order ("RTX 3090" before "RTX 4090", "8B" before "70B"); `base` also ignores case and accents.
  var naturalOrder = new Intl.Collator('en', { numeric: true });
  var naturalOrderBase = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  function compareNames(a, b, ignoreCase) { return (ignoreCase ? naturalOrderBase : naturalOrder).compare(a, b); }
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
