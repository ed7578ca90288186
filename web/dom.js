// Small DOM helpers the page's scripts share. Text is only ever set with textContent: values from the catalog
// or the address bar never become markup.
(function (page) {
  'use strict';

  function byId(id) { return document.getElementById(id); }

  // { name: 'element-id' } → { name: element }: each part of the page looks up its own elements once.
  function elements(ids) {
    var out = {};
    Object.keys(ids).forEach(function (name) { out[name] = byId(ids[name]); });
    return out;
  }

  function setText(node, text) { node.textContent = text; }

  function make(tag, className, text) {
    var n = document.createElement(tag);
    if (className) n.className = className;
    if (text !== undefined) n.textContent = text;
    return n;
  }

  function option(value, text) {
    var o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    return o;
  }

  function optgroup(label, options) {
    var g = document.createElement('optgroup');
    g.label = label;
    options.forEach(function (o) { g.appendChild(o); });
    return g;
  }

  // Replaces a list's items with one <li> per text.
  function listItems(list, texts) {
    list.replaceChildren.apply(list, texts.map(function (t) { return make('li', '', t); }));
  }

  // Replaces a node's children with `nodes`.
  function fill(node, nodes) { node.replaceChildren.apply(node, nodes); }

  // Copies text to the clipboard and calls done(ok): the Clipboard API where the page is a secure context,
  // else a selected off-screen textarea (file:// and plain-http hosts).
  function copyText(text, done) {
    var fallback = function () {
      var area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.className = 'offscreen';
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      document.body.removeChild(area);
      done(ok);
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
    else fallback();
  }

  // A delayed call that a newer one replaces (typing, searching, resizing).
  function debouncer() {
    var timer = null;
    return {
      run: function (ms, fn) {
        clearTimeout(timer);
        timer = setTimeout(fn, ms);
      },
      cancel: function () { clearTimeout(timer); },
    };
  }

  // For work that waits on a promise (the tools module loading, then reading a pasted text): a later call wins, and
  // an earlier one's result or error, arriving after it, is dropped. run(promise, done, status) → Promise: done(value)
  // once the promise resolves; an error, of the promise or of done, is written into the status element.
  function latest() {
    var count = 0;
    return function run(promise, done, status) {
      var mine = ++count;
      return promise.then(function (value) {
        if (mine === count) done(value);
      }).catch(function (e) {
        if (mine === count) setText(status, e && e.message ? e.message : String(e));
      });
    };
  }

  page.dom = {
    byId: byId,
    elements: elements,
    setText: setText,
    make: make,
    option: option,
    optgroup: optgroup,
    listItems: listItems,
    fill: fill,
    debouncer: debouncer,
    latest: latest,
    copyText: copyText,
  };
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
