// A small self-hosted reader for /api/openapi.json (no CDN, CSP-safe): endpoints by tag, then schemas.
const $ = id => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) e.setAttribute(k, v);
  for (const c of children.flat()) if (c != null) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function refName(ref) { return ref.split('/').pop(); }

function typeOf(s) {
  if (!s) return '';
  if (s.$ref) return refName(s.$ref);
  if (s.type === 'array') return `[${typeOf(s.items)}]`;
  if (s.enum) return s.enum.join(' | ');
  if (s.allOf) return s.allOf.map(typeOf).join(' & ');
  return [].concat(s.type || 'object').join(' | ') + (s.format ? ` (${s.format})` : '');
}

function schemaTable(schema) {
  if (!schema) return null;
  if (schema.$ref) return el('p', {}, 'Schema: ', el('a', { href: '#schema-' + refName(schema.$ref) }, refName(schema.$ref)));
  if (schema.type === 'array') return el('p', {}, 'List of ', typeOf(schema.items));
  const props = schema.properties || {};
  const required = new Set(schema.required || []);
  if (!Object.keys(props).length) return el('p', { class: 'muted' }, typeOf(schema));
  return el('table', {}, el('tr', {}, el('th', {}, 'field'), el('th', {}, 'type'), el('th', {}, 'notes')),
    Object.entries(props).map(([name, p]) => el('tr', {},
      el('td', {}, el('code', {}, name), required.has(name) ? el('span', { class: 'req', title: 'required' }, ' *') : null),
      el('td', {}, p.$ref ? el('a', { href: '#schema-' + refName(p.$ref) }, refName(p.$ref)) : typeOf(p)),
      el('td', { class: 'muted' }, [p.description, p.readOnly ? 'read-only' : null, p.writeOnly ? 'write-only' : null,
        p.nullable ? 'nullable' : null, p.minLength != null ? `min ${p.minLength}` : null, p.maxLength != null ? `max ${p.maxLength}` : null,
        p.minimum != null ? `≥ ${p.minimum}` : null, p.maximum != null ? `≤ ${p.maximum}` : null].filter(Boolean).join(' · ')))));
}

function operation(path, method, op) {
  const params = op.parameters || [];
  const body = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
  const responses = Object.entries(op.responses || {});
  return el('details', { 'data-text': `${method} ${path} ${op.summary || ''} ${(op.tags || []).join(' ')}`.toLowerCase() },
    el('summary', {}, el('span', { class: 'method ' + method }, method.toUpperCase()), ' ', el('code', {}, path), ' ',
      el('span', { class: 'muted' }, op.summary || '')),
    el('div', {},
      op.description ? el('p', {}, op.description) : null,
      params.length ? [el('h4', {}, 'Parameters'), el('table', {}, params.map(p => el('tr', {},
        el('td', {}, el('code', {}, p.name), p.required ? el('span', { class: 'req' }, ' *') : null),
        el('td', {}, p.in), el('td', {}, typeOf(p.schema)), el('td', { class: 'muted' }, p.description || ''))))] : null,
      body ? [el('h4', {}, 'Request body'), schemaTable(body.schema)] : null,
      el('h4', {}, 'Responses'),
      el('ul', {}, responses.map(([code, r]) => {
        const json = r.content && r.content['application/json'];
        return el('li', {}, el('strong', {}, code), ' ', r.description || '', json ? schemaTable(json.schema) : null);
      }))));
}

async function main() {
  const spec = await (await fetch('/api/openapi.json')).json();
  $('info').textContent = `${spec.info.title} ${spec.info.version} — ${spec.info.description || ''} (OpenAPI ${spec.openapi})`;
  const byTag = new Map();
  for (const [path, item] of Object.entries(spec.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const tag = (op.tags && op.tags[0]) || 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push(operation(path, method, op));
    }
  }
  const endpoints = $('endpoints');
  for (const [tag, ops] of byTag) {
    const id = 'tag-' + tag.replace(/\W+/g, '-');
    $('toc').append(el('a', { href: '#' + id }, `${tag} (${ops.length})`));
    endpoints.append(el("h2", { id }, tag), ...ops);
  }
  const schemas = (spec.components && spec.components.schemas) || {};
  for (const [name, schema] of Object.entries(schemas)) {
    $('schemas').append(el('details', { id: 'schema-' + name, 'data-text': name.toLowerCase() }, el('summary', {}, el('code', {}, name)),
      el('div', {}, schemaTable(schema))));
  }
  $('filter').addEventListener('input', ev => {
    const q = ev.target.value.trim().toLowerCase();
    for (const d of document.querySelectorAll('details[data-text]')) d.hidden = !!q && !d.dataset.text.includes(q);
  });
}

main().catch(err => { $('info').textContent = 'Could not load /api/openapi.json: ' + err.message; });
