// A model the catalog does not hold, read from its files' headers, never their weights: from the Hugging Face Hub
// (a repository id typed into the model search, or ?model=hf:ORG/NAME in the address) or from files on this computer
// (dropped on the page or picked). Either way the estimator's inspect method reads the headers and answers a
// self-contained request ({config, checkpoint}, plus weights and runtime for GGUF) that the page then estimates;
// the same request runs on the command line.
//
// The Hub is the only other origin the page contacts, and only when asked. It reads:
//   https://huggingface.co/api/models/ORG/NAME[/revision/REV]?blobs=true   the file list, sizes, card metadata
//   https://huggingface.co/ORG/NAME/resolve/REV/config.json (and model.safetensors.index.json)
//   each safetensors shard's first 8 bytes, then its header, by HTTP Range requests; a GGUF file's first bytes,
//   more while inspect asks for more (need_bytes), and every part of a -0000k-of-0000N split.
// Large files are redirected to the Hub's download hosts (index.html's Content-Security-Policy lists them).
// An access token (gated or private repositories) is held in this script's memory only, sent only to huggingface.co
// and never written to the address or to storage.
(function (page) {
  'use strict';

  var HUB = 'https://huggingface.co';
  var ID_PART = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?$/;  // the Hub's repository name rules
  var REVISION = /^[A-Za-z0-9._\/-]{1,200}$/;
  var TAG = /^[A-Za-z0-9._-]{1,40}$/;
  var GGUF_SPLIT = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/;
  var FIRST_SAFETENSORS_READ = 8;       // the header's length
  var FIRST_GGUF_READ = 8192;           // then as much as inspect asks for
  var MAX_ROUNDS = 16;
  var MAX_JSON_BYTES = 32 * 1048576;    // config.json and the index are read whole
  var MAX_HEADER_BYTES = 100000000;     // safetensors' own header limit, which inspect applies too
  var MAX_SHOWN = 80;

  // "ORG/NAME", "hf:ORG/NAME", "https://huggingface.co/ORG/NAME", each with an optional "@revision" and ":TAG" (a GGUF
  // file type, as llama.cpp's -hf takes it) → {repo, revision, tag}; null when the text is not shaped like one.
  function parseRepo(text) {
    var t = String(text || '').trim();
    if (t.length > 300) return null;
    t = t.replace(/^hf:/i, '').replace(/^https?:\/\/(www\.)?(huggingface\.co|hf\.co)\//i, '').replace(/\/+$/, '');
    var tag = '';
    var colon = t.lastIndexOf(':');
    if (colon > 0) {
      tag = t.slice(colon + 1);
      t = t.slice(0, colon);
      if (!TAG.test(tag)) return null;
    }
    var revision = 'main';
    var at = t.indexOf('@');
    if (at > 0) {
      revision = t.slice(at + 1);
      t = t.slice(0, at);
      if (!REVISION.test(revision) || revision.indexOf('..') >= 0) return null;
    }
    var parts = t.split('/');
    if (parts.length !== 2 || !ID_PART.test(parts[0]) || !ID_PART.test(parts[1])) return null;
    if (/--|\.\./.test(parts[0]) || /--|\.\./.test(parts[1])) return null;
    return { repo: parts[0] + '/' + parts[1], revision: revision, tag: tag };
  }

  // The address form of a Hub model: "hf:ORG/NAME[@REV][:TAG]".
  function modelId(ref) {
    return 'hf:' + ref.repo + (ref.revision && ref.revision !== 'main' ? '@' + ref.revision : '') + (ref.tag ? ':' + ref.tag : '');
  }

  function shorten(text) {
    var s = String(text);
    return s.length > MAX_SHOWN ? s.slice(0, MAX_SHOWN) + '\u2026' : s;
  }

  // A failure with a plain explanation: kind is not_found, gated, rate_limited, offline, http, too_big, or file.
  function HubError(kind, message) {
    var e = new Error(message);
    e.kind = kind;
    return e;
  }

  function statusError(status, what, repo) {
    if (status === 404) return HubError('not_found', 'Hugging Face found no ' + what + ' (HTTP 404). Check the spelling of ' + shorten(repo) + ' and the revision; a private repository answers the same way without an access token.');
    if (status === 401 || status === 403) return HubError('gated', 'Hugging Face refused access to the ' + what + ' (HTTP ' + status + '): ' + shorten(repo) + ' is gated or private. Accept its terms on huggingface.co, then paste an access token with read access below; it stays in this page\u2019s memory.');
    if (status === 429) return HubError('rate_limited', 'Hugging Face is limiting requests from this address (HTTP 429). Wait a minute and try again, or give an access token.');
    return HubError('http', 'Hugging Face answered HTTP ' + status + ' for ' + what + '.');
  }

  function offlineError() {
    return HubError('offline', 'huggingface.co could not be reached: this computer is offline, or a network filter, proxy or browser extension blocks it. Nothing else was contacted.');
  }

  // ---- the Hub ----

  function encodePath(name) { return name.split('/').map(encodeURIComponent).join('/'); }

  function hubClient(ref, token) {
    var headers = function (extra) {
      var h = Object.assign({}, extra || {});
      if (token) h.Authorization = 'Bearer ' + token;
      return h;
    };
    var rev = encodeURIComponent(ref.revision);
    function fileUrl(name) { return HUB + '/' + ref.repo + '/resolve/' + rev + '/' + encodePath(name); }
    function get(url, what, extra) {
      return fetch(url, { headers: headers(extra), credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'no-store' }).catch(function () {
        throw offlineError();
      }).then(function (r) {
        if (!r.ok) throw statusError(r.status, what, ref.repo);
        return r;
      });
    }
    return {
      info: function () {
        var url = HUB + '/api/models/' + ref.repo + (ref.revision !== 'main' ? '/revision/' + rev : '') + '?blobs=true';
        return get(url, 'repository ' + ref.repo, null).then(function (r) { return r.json(); });
      },
      text: function (name) {
        return get(fileUrl(name), 'file ' + shorten(name), null).then(function (r) { return r.text(); });
      },
      // Bytes [start, end) of a file; a server that ignores the range is not read past what was asked.
      bytes: function (name, start, end) {
        var controller = typeof AbortController === 'function' ? new AbortController() : null;
        var init = { headers: headers({ Range: 'bytes=' + start + '-' + (end - 1) }), credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'no-store' };
        if (controller) init.signal = controller.signal;
        return fetch(fileUrl(name), init).catch(function () { throw offlineError(); }).then(function (r) {
          if (r.status === 206) return r.arrayBuffer();
          if (r.ok) {
            if (controller) controller.abort();
            throw HubError('http', 'Hugging Face sent the whole of ' + shorten(name) + ' instead of the bytes asked for; its header cannot be read without downloading the weights.');
          }
          throw statusError(r.status, 'file ' + shorten(name), ref.repo);
        });
      },
    };
  }

  // ---- reading headers: the same loop for the Hub and for files on disk ----

  function concat(a, b) {
    var out = new Uint8Array(a.byteLength + b.byteLength);
    out.set(new Uint8Array(a), 0);
    out.set(new Uint8Array(b), a.byteLength);
    return out.buffer;
  }

  // sources: [{name, size (or -1), json: bool, read(start, end) → Promise<ArrayBuffer>, text() → Promise<string>}];
  // tools: a Promise of the API that answers inspect (FitMyGPU.tools()), loading while the first bytes are read.
  // Asks inspect, reads what it asks for (need_bytes), and asks again; → Promise of inspect's answer.
  function inspectSources(tools, sources, progress, texts) {
    var api = null;
    var state = sources.map(function (s) { return { source: s, text: null, data: new ArrayBuffer(0) }; });
    var first = state.map(function (st) {
      var s = st.source;
      if (s.json) {
        if (s.size > MAX_JSON_BYTES) throw HubError('too_big', s.name + ' is ' + s.size + ' bytes, more than a config or index ever is.');
        return s.text().then(function (t) {
          st.text = t;
          if (texts) texts[s.name] = t;
        });
      }
      var n = /\.gguf$/i.test(s.name) ? FIRST_GGUF_READ : FIRST_SAFETENSORS_READ;
      if (s.size >= 0) n = Math.min(n, s.size);
      return s.read(0, n).then(function (b) { st.data = b; });
    });
    var rounds = 0;
    function ask() {
      var files = state.map(function (st) {
        if (st.text !== null) return { name: st.source.name, text: st.text };
        var f = { name: st.source.name, data: st.data };
        if (st.source.size >= 0) f.size = st.source.size;
        return f;
      });
      var answer = api.inspect({ files: files });
      if (!answer.need_bytes) return Promise.resolve(answer);
      if (++rounds > MAX_ROUNDS) return Promise.reject(HubError('too_big', 'The headers are still incomplete after ' + MAX_ROUNDS + ' reads.'));
      return Promise.all(answer.need_bytes.map(function (need) {
        var st = state.filter(function (x) { return x.source.name === need.name; })[0];
        if (!st || st.text !== null) return Promise.reject(HubError('file', 'The estimator asked for more of ' + shorten(need.name) + ', which is not a file being read.'));
        var have = st.data.byteLength;
        var want = Math.min(need.bytes, MAX_HEADER_BYTES + 8);
        if (st.source.size >= 0) want = Math.min(want, st.source.size);
        if (want <= have) return Promise.reject(HubError('file', 'The header of ' + shorten(need.name) + ' runs past the end of the file.'));
        if (progress) progress('Reading the header of ' + need.name + ' (' + page.units.integer(want) + ' bytes)\u2026');
        return st.source.read(have, want).then(function (more) { st.data = concat(st.data, more); });
      })).then(ask);
    }
    return Promise.all(first.concat([tools])).then(function (done) {
      api = done[done.length - 1];
      return ask();
    });
  }

  // The request inspect built ({config, checkpoint, ...}); for a config.json alone, {config}; null when the files do
  // not describe a model the estimator can size (the inspection says why).
  function requestOf(inspection, texts) {
    if (inspection.request) return inspection.request;
    if (inspection.format !== 'config') return null;
    var name = Object.keys(texts).filter(function (n) { return !/index\.json$/i.test(n); })[0];
    try {
      var config = JSON.parse(texts[name]);
      return config && typeof config === 'object' && !Array.isArray(config) ? { config: config } : null;
    } catch (e) {
      return null;
    }
  }

  function gatherSiblings(info) {
    var out = {};
    (info && Array.isArray(info.siblings) ? info.siblings : []).forEach(function (s) {
      if (s && typeof s.rfilename === 'string') out[s.rfilename] = typeof s.size === 'number' ? s.size : -1;
    });
    return out;
  }

  // The GGUF files a repository offers, one choice per model file (a split is its first part), projector files left out.
  function ggufChoices(names) {
    var choices = [];
    names.forEach(function (n) {
      if (!/\.gguf$/i.test(n) || /(^|\/)mmproj/i.test(n)) return;
      var m = GGUF_SPLIT.exec(n);
      if (m && m[2] !== '00001') return;
      var parts = [n];
      if (m) {
        parts = [];
        for (var k = 1; k <= Number(m[3]); k++) parts.push(m[1] + '-' + ('0000' + k).slice(-5) + '-of-' + m[3] + '.gguf');
      }
      choices.push({ name: n, parts: parts });
    });
    return choices;
  }

  // The file chosen by name, else the one a tag ("Q4_K_M") names, else Q4_K_M, else the first.
  function pickGguf(choices, tag, file) {
    var named = choices.filter(function (c) { return c.name === file; })[0];
    if (named) return named;
    var has = function (t) {
      var re = new RegExp('[-_.]' + t.replace(/[^A-Za-z0-9_]/g, '') + '([-.]|$)', 'i');
      return choices.filter(function (c) { return re.test(c.name); })[0];
    };
    return (tag && has(tag)) || has('Q4_K_M') || choices[0] || null;
  }

  function baseModels(info) {
    var b = info && info.cardData ? info.cardData.base_model : null;
    if (typeof b === 'string') return [b];
    return Array.isArray(b) ? b.filter(function (x) { return typeof x === 'string'; }) : [];
  }

  // Reads a Hub repository → Promise of {label, source, inspection, base: [repo], gguf: {choices, chosen}}.
  function readHub(tools, ref, token, progress, file) {
    var hub = hubClient(ref, token);
    progress('Asking Hugging Face about ' + ref.repo + '\u2026');
    return hub.info().then(function (info) {
      var sizes = gatherSiblings(info);
      var names = Object.keys(sizes);
      var has = function (n) { return Object.prototype.hasOwnProperty.call(sizes, n); };
      var source = function (name, json) {
        return {
          name: name, size: sizes[name], json: json,
          read: function (start, end) { return hub.bytes(name, start, end); },
          text: function () { return hub.text(name); },
        };
      };
      var sources = [];
      if (has('config.json')) sources.push(source('config.json', true));
      var gguf = null;
      // Without an index: model.safetensors, else the top-level safetensors files, leaving out a second copy of the
      // weights in another layout (Mistral's consolidated.safetensors).
      var shards = has('model.safetensors') ? ['model.safetensors'] : names.filter(function (n) {
        return /\.safetensors$/.test(n) && n.indexOf('/') < 0 && !/^consolidated/.test(n);
      });
      if (has('model.safetensors.index.json')) {
        sources.push(source('model.safetensors.index.json', true));
        var index = sources[sources.length - 1];
        // The shards are those the index names: read it first (inspect lists the missing shards).
        return Promise.all([index.text(), tools]).then(function (done) {
          var text = done[0];
          index.text = function () { return Promise.resolve(text); };
          var answer = done[1].inspect({ files: [{ name: index.name, text: text }] });
          (answer.missing_files || []).forEach(function (n) {
            if (has(n)) sources.push(source(n, false));
          });
          return finish(info, sources, null);
        });
      }
      if (shards.length) shards.forEach(function (n) { sources.push(source(n, false)); });
      else {
        var choices = ggufChoices(names);
        if (choices.length) {
          var chosen = pickGguf(choices, ref.tag, file);
          chosen.parts.forEach(function (n) { if (has(n)) sources.push(source(n, false)); });
          gguf = { choices: choices, chosen: chosen.name };
        }
      }
      if (!sources.length) throw HubError('file', ref.repo + ' has no config.json, safetensors or GGUF file the estimator can read.');
      return finish(info, sources, gguf);
    });
    function finish(info, sources, gguf) {
      progress('Reading the headers of ' + ref.repo + ' (' + sources.length + ' file' + (sources.length === 1 ? '' : 's') + ')\u2026');
      var texts = {};
      return inspectSources(tools, sources, progress, texts).then(function (inspection) {
        return { label: ref.repo, source: 'hub', inspection: inspection, request: requestOf(inspection, texts), base: baseModels(info), gguf: gguf };
      });
    }
  }

  // Files from this computer (a FileList or array of File) → Promise of {label, source, inspection}.
  function readFiles(tools, files, progress) {
    var list = Array.prototype.slice.call(files || []);
    if (!list.length) return Promise.reject(HubError('file', 'No file was given.'));
    var sources = list.map(function (f) {
      var json = /\.json$/i.test(f.name);
      return {
        name: f.name, size: f.size, json: json,
        read: function (start, end) { return f.slice(start, end).arrayBuffer(); },
        text: function () { return f.text(); },
      };
    });
    progress('Reading the headers of ' + list.length + ' file' + (list.length === 1 ? '' : 's') + '\u2026');
    var texts = {};
    return Promise.resolve().then(function () { return inspectSources(tools, sources, progress, texts); }).then(function (inspection) {
      var main = list.filter(function (f) { return !/\.json$/i.test(f.name); })[0] || list[0];
      return { label: main.name, source: 'files', inspection: inspection, request: requestOf(inspection, texts), base: [] };
    });
  }

  page.hub = {
    HUB: HUB,
    parseRepo: parseRepo,
    modelId: modelId,
    readHub: readHub,
    readFiles: readFiles,
    ggufChoices: ggufChoices,
  };
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
