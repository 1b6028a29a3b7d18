// Strings live in /static/i18n/<lang>.json; Simplified Chinese is the default.
const SUPPORTED = ['zh-CN', 'en'];
let current = 'zh-CN';
let strings = {};
let fallback = {};

export function lang() { return current; }

export async function loadLanguage(wanted) {
  const chosen = SUPPORTED.includes(wanted) ? wanted : (localStorage.getItem('harmony.lang') || 'zh-CN');
  const load = async l => (await fetch(`/static/i18n/${l}.json`)).json();
  strings = await load(chosen);
  fallback = chosen === 'en' ? strings : await load('en');
  current = chosen;
  localStorage.setItem('harmony.lang', chosen);
  document.documentElement.lang = chosen;
}

export function t(key, params) {
  let s = strings[key] ?? fallback[key] ?? key;
  if (params) s = s.replace(/\{(\w+)\}/g, (_, k) => (params[k] ?? ''));
  return s;
}
