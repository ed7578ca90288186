// What the catalog holds for people and the estimator does not carry (scripts/lean-catalog): a model's `page`
// (summary, highlights, sources, ...), its `sources`, its published parameter count's `source`, `note` and `exact`,
// and its config.json as published (the estimator keeps only the fields its reading of that model looks up). The
// pages read it here, from catalog/models/*.json, and join it to the estimator's record of the model.
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

/** The estimator's record of a model with the catalog's reader text and config joined to it. */
function withCatalogText(record) {
  const entry = catalogEntry(record.id);
  if (!entry) return record;
  const out = { ...record };
  if (entry.config !== undefined) out.config = entry.config;
  if (entry.page !== undefined) out.page = entry.page;
  if (entry.sources !== undefined) out.sources = entry.sources;
  if (entry.published_params && typeof entry.published_params === 'object') out.published_params = { ...(record.published_params || {}), ...entry.published_params };
  return out;
}

module.exports = { catalogEntry, withCatalogText };
