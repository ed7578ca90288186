// The text of the catalog that only people read: a model's `page` (summary, highlights, sources, ...), its
// `sources` and its published parameter count's `source` and `note`. The estimator does not carry it
// (scripts/lean-catalog), so the pages read it here, from catalog/models/*.json, and join it to the estimator's
// record of the model.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const MODELS_DIR = path.resolve(__dirname, '..', '..', 'catalog', 'models');

let byId = null;
/** Every catalog model file's entry, by id. */
function entries() {
  if (!byId) {
    byId = new Map();
    for (const name of fs.readdirSync(MODELS_DIR).filter((n) => n.endsWith('.json')).sort()) {
      const doc = JSON.parse(fs.readFileSync(path.join(MODELS_DIR, name), 'utf8'));
      for (const e of Array.isArray(doc) ? doc : [doc]) if (e && typeof e.id === 'string') byId.set(e.id, e);
    }
  }
  return byId;
}

/** The catalog file's entry of a model (every field as written), or null. */
function catalogEntry(id) { return entries().get(id) || null; }

/** The estimator's record of a model with the catalog's reader text joined to it. */
function withCatalogText(record) {
  const entry = catalogEntry(record.id);
  if (!entry) return record;
  const out = { ...record };
  if (entry.page !== undefined) out.page = entry.page;
  if (entry.sources !== undefined) out.sources = entry.sources;
  if (entry.published_params && typeof entry.published_params === 'object') out.published_params = { ...(record.published_params || {}), ...entry.published_params };
  return out;
}

module.exports = { catalogEntry, withCatalogText };
