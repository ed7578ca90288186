// The page's state in the query string, so a link restores the whole setup:
//   ?model=llama-3.1-8b&runtime=vllm&gpu=rtx-4090&gpu_count=1&context=8192&concurrency=4&kv_cache_dtype=fp8
//    &weights=awq-int4&gpu_memory_utilization=0.95&unit=gb
// A custom device is gpu=custom&memory_mib=24564[&bandwidth_gbps=1008][&unified_memory=1]; system RAM is
// host_memory_mib, an Apple chip's GPU wired limit gpu_wired_limit_mib (request host.*), memory other programs hold on
// each GPU gpu_memory_in_use_mib. Field and knob names
// are the estimator's request names. This file only reads and writes text; address.js checks every value against
// the catalog and the estimator, and reports and replaces what is invalid.
(function (page) {
  'use strict';

  var FIELDS = ['model', 'weights', 'runtime', 'gpu', 'gpu_count', 'memory_mib', 'bandwidth_gbps', 'unified_memory', 'context',
    'concurrency', 'images', 'kv_cache_dtype', 'unit', 'host_memory_mib', 'gpu_wired_limit_mib', 'gpu_memory_in_use_mib'];
  var MAX_SHOWN = 60;  // characters of a bad value quoted back in a notice

  // → { fields: {name: text}, engine: {knob: text}, unknown: [names] }. The last occurrence of a repeated name wins.
  function parse(search, knobNames) {
    var out = { fields: {}, engine: {}, unknown: [] };
    var params;
    try {
      params = new URLSearchParams(search || '');
    } catch (e) {
      return out;
    }
    params.forEach(function (value, name) {
      if (FIELDS.indexOf(name) >= 0) out.fields[name] = value;
      else if (knobNames.indexOf(name) >= 0) out.engine[name] = value;
      else if (out.unknown.indexOf(name) < 0) out.unknown.push(name);
    });
    return out;
  }

  // Whole numbers only ("8192", not "8k" or "1e3"); null when the text is not one or is out of [lo, hi].
  function wholeNumber(text, lo, hi) {
    if (typeof text !== 'string' || !/^-?\d{1,9}$/.test(text.trim())) return null;
    var n = Number(text.trim());
    return n >= lo && n <= hi ? n : null;
  }
  function decimalNumber(text, lo, hi) {
    if (typeof text !== 'string' || !/^\d{0,9}(\.\d{1,6})?$/.test(text.trim()) || text.trim() === '' || text.trim() === '.') return null;
    var n = Number(text.trim());
    return n >= lo && n <= hi ? n : null;
  }
  function flag(text) {
    var t = String(text).toLowerCase();
    if (t === '1' || t === 'true' || t === 'on' || t === 'yes') return true;
    if (t === '0' || t === 'false' || t === 'off' || t === 'no') return false;
    return null;
  }

  // A value quoted back to people: shortened, and only ever set as text.
  function quote(text) {
    var s = String(text);
    return '\u201c' + (s.length > MAX_SHOWN ? s.slice(0, MAX_SHOWN) + '\u2026' : s) + '\u201d';
  }

  // pairs: [[name, value]] in a stable order; empty values are left out.
  function serialize(pairs) {
    var params = new URLSearchParams();
    pairs.forEach(function (p) {
      if (p[1] === undefined || p[1] === null || p[1] === '') return;
      params.append(p[0], String(p[1]));
    });
    return params.toString();
  }

  // Replaces the query string without adding a history entry. Some browsers refuse history changes on file://
  // pages; the state then simply is not mirrored in the address bar (the copy-link button still works).
  function replace(query) {
    var url = location.pathname + (query ? '?' + query : '') + location.hash;
    try {
      history.replaceState(null, '', url);
      return true;
    } catch (e) {
      return false;
    }
  }

  // The shareable address: this page with the query.
  function link(query) {
    var base = location.href.split('#')[0].split('?')[0];
    return base + (query ? '?' + query : '');
  }

  // Whether the address carries no setup at all (no query): the page then runs on its own defaults.
  function plain(search) { return !search || search === '?'; }

  page.urlState = {
    FIELDS: FIELDS,
    parse: parse,
    plain: plain,
    wholeNumber: wholeNumber,
    decimalNumber: decimalNumber,
    flag: flag,
    quote: quote,
    serialize: serialize,
    replace: replace,
    link: link,
  };
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
