// DOM helpers: build elements with textContent only (never HTML strings), so data never becomes markup.
import { t, lang } from './i18n.js';

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// Append children like h() does: arrays flattened, null/false skipped (native append would print them).
export function mount(el, ...children) {
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

let toastTimer;
export function toast(message, kind = 'info') {
  const box = document.getElementById('toast');
  box.textContent = message;
  box.className = 'toast show ' + kind;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.className = 'toast'; }, 4000);
}

const DAY = 86400000;

export function daysBetween(a, b = new Date()) {
  return Math.floor((new Date(b) - new Date(a)) / DAY);
}

export function fmtDate(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleDateString(lang(), { year: 'numeric', month: 'short', day: 'numeric' });
}

export function fmtDateTime(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(lang(), { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

// "3 days left" / "overdue 2 days", with a class for colour.
export function deadlineBadge(iso) {
  if (!iso) return h('span', { class: 'badge' }, t('case.no_deadline'));
  const days = Math.ceil((new Date(iso) - new Date()) / DAY);
  if (days < 0) return h('span', { class: 'badge danger' }, t('case.overdue_days', { n: -days }));
  if (days <= 1) return h('span', { class: 'badge warn' }, t('case.due_days', { n: days }));
  return h('span', { class: 'badge' }, t('case.due_days', { n: days }));
}

export function levelName(c) {
  const levels = c.ladder_levels || [];
  const lv = levels[(c.level || 1) - 1];
  if (!lv) return t('case.level_n', { n: c.level || 1 });
  return (lang() === 'en' ? lv.name_en : lv.name_zh) || lv.key;
}

// A labelled form field; returns the wrapper, the control is wrapper.control.
export function field(label, control, hint) {
  const id = control.id || ('f' + Math.random().toString(36).slice(2, 9));
  control.id = id;
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('p', { class: 'hint' }, hint) : null);
  wrap.control = control;
  return wrap;
}

export function select(name, options, value) {
  return h('select', { name }, options.map(([v, label]) => h('option', { value: v, selected: String(v) === String(value) }, label)));
}

export function backLink(href) {
  return h('a', { class: 'back', href }, '‹ ' + t('common.back'));
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map(v => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
