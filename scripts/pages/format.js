// Display formatting for the generated pages. Sizes are bytes in, text with its unit out:
// GiB = 2^30 bytes, MiB = 2^20, KiB = 2^10 (binary units, always written).
'use strict';

const KIB = 1024;
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function fixed(value, digits) {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "a", "a and b", "a, b and c" (or another conjunction). */
function joinWords(items, conjunction = 'and') {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

/** 141107412992 → "131.42 GiB" */
function gib(bytes) { return `${fixed(bytes / GIB, 2)} GiB`; }

/** The unit that reads best: GiB from 1 GiB up, then MiB, then KiB, then bytes. */
function bytesText(bytes) {
  const a = Math.abs(bytes);
  if (a >= GIB) return gib(bytes);
  if (a >= MIB) return `${fixed(bytes / MIB, 2)} MiB`;
  if (a >= KIB) return `${fixed(bytes / KIB, 2)} KiB`;
  return `${integer(bytes)} B`;
}

/** 131072 → "131,072" */
function integer(n) { return Math.round(n).toLocaleString('en-US'); }

/** Three significant digits: 70553706496 → "70.6B", 671026419200 → "671B", 494032768 → "494M". */
function params(n) {
  if (!(n > 0)) return '0';
  const [div, unit] = n >= 1e12 ? [1e12, 'T'] : n >= 1e9 ? [1e9, 'B'] : n >= 1e6 ? [1e6, 'M'] : [1e3, 'K'];
  const v = n / div;
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${Number(v.toFixed(digits)).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })}${unit}`;
}

/** "2025-01-20" → "Jan 20, 2025"; "2025-01" → "Jan 2025". */
function date(iso) {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(String(iso || ''));
  if (!m) return String(iso || '');
  if (!m[2]) return m[1];
  const month = MONTHS[Number(m[2]) - 1];
  return m[3] ? `${month} ${Number(m[3])}, ${m[1]}` : `${month} ${m[1]}`;
}

/** 4096 → "4K", 32768 → "32K", 131072 → "128K", 1048576 → "1M" (1K = 1,024 tokens, as context sizes are quoted). */
function tokensShort(n) {
  if (n >= 1048576 && n % 1048576 === 0) return `${n / 1048576}M`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return integer(n);
}

function plural(n, one, many) { return `${integer(n)} ${n === 1 ? one : many || `${one}s`}`; }

/** Percent with no decimals, or one below 10 %. */
function percent(ratio) {
  const p = ratio * 100;
  return `${p < 10 ? fixed(p, 1) : integer(p)}%`;
}

/** "text" → "Text"; "text+vision" → "Text and vision". */
function modality(m) {
  const parts = String(m || 'text').split('+').filter(Boolean);
  const words = parts.map((p, i) => (i === 0 ? p.charAt(0).toUpperCase() + p.slice(1) : p));
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** A meta description: whole words, at most `max` characters. */
function clip(text, max = 160) {
  const t = String(text || '').replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max / 2)).replace(/[,;:.\s]+$/, '')}\u2026`;
}

module.exports = { KIB, MIB, GIB, fixed, joinWords, gib, bytesText, integer, params, date, tokensShort, plural, percent, modality, clip };
