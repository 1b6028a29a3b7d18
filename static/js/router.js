// Hash routes ("#/case/<id>"), so the one cached shell serves every screen offline.
const routes = [];
let onChange = null;

export function route(pattern, handler) {
  const keys = [];
  const re = new RegExp('^' + pattern.replace(/:(\w+)/g, (_, k) => { keys.push(k); return '([^/]+)'; }) + '$');
  routes.push({ re, keys, handler });
}

export function current() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query] = raw.split('?');
  return { path, query: new URLSearchParams(query || '') };
}

export function resolve() {
  const { path, query } = current();
  for (const r of routes) {
    const m = path.match(r.re);
    if (m) {
      const params = Object.fromEntries(r.keys.map((k, i) => [k, decodeURIComponent(m[i + 1])]));
      return { handler: r.handler, params, query, path };
    }
  }
  return null;
}

export function go(path) {
  if (location.hash === '#' + path) onChange && onChange();
  else location.hash = path;
}

export function start(fn) {
  onChange = fn;
  window.addEventListener('hashchange', fn);
  fn();
}
