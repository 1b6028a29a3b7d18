// Sync status (sent / received, last success, unsent) and the problems list: nothing is dropped silently.
import { t } from '../i18n.js';
import { h, clear, fmtDateTime, mount } from '../ui.js';
import { db, getMeta } from '../db.js';
import { state, onSyncState, syncNow, refreshCounts } from '../sync.js';
import { setRefresh } from '../live.js';

const LINKS = { household: '#/household/', case: '#/case/', visit: null, case_event: null };

function errorText(code) {
  const text = t('sync.err.' + code);
  return text === 'sync.err.' + code ? code : text;
}

export async function render(view) {
  const status = h('dl', { class: 'facts', id: 'sync-status', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'primary', id: 'sync-now' }, t('sync.now'));
  const problems = h('div', { id: 'problems' });
  button.addEventListener('click', async () => {
    if (!navigator.onLine) { paint(); return; }
    await syncNow('button');
  });
  mount(view, h('h1', {}, t('sync.title')), status, button, h('p', { class: 'hint' }, t('sync.auto')),
    h('a', { class: 'button', href: '#/conflicts' }, t('conflicts.title')), problems);

  const persisted = await getMeta('persisted');
  const paint = () => {
    clear(status).append(
      h('dt', {}, t('sync.network')), h('dd', {}, navigator.onLine ? t('sync.online') : t('sync.offline')),
      h('dt', {}, t('sync.last')), h('dd', { id: 'last-sync' }, state.lastSyncAt ? fmtDateTime(state.lastSyncAt) : t('sync.never')),
      h('dt', {}, t('sync.unsent_label')), h('dd', { id: 'unsent-count' }, String(state.unsent)),
      h('dt', {}, t('sync.progress')), h('dd', {}, t('sync.sent_received', { sent: state.sent, received: state.received })),
      ...(state.error ? [h('dt', {}, t('sync.error')), h('dd', { class: 'error' }, errorText(state.error))] : []),
      h('dt', {}, t('storage.persisted')), h('dd', {}, persisted ? t('common.yes') : t('storage.not_persisted')));
    button.disabled = state.running;
    button.textContent = state.running ? t('sync.running', { sent: state.sent, received: state.received }) : t('sync.now');
  };
  const off = onSyncState(paint);
  window.addEventListener('hashchange', off, { once: true });

  const fillProblems = async () => {
    const rows = (await db.problems.toArray()).filter(p => p.handled !== 1).reverse();
    clear(problems);
    problems.append(h('h2', {}, t('problems.title')));
    if (!rows.length) { problems.append(h('p', { class: 'empty' }, t('problems.none'))); return; }
    const list = h('ul', { class: 'list problems' });
    for (const p of rows) {
      const errors = Object.entries(p.errors || {}).map(([f, m]) => `${f}: ${[].concat(m).join(' ')}`).join('; ');
      const link = LINKS[p.table] ? LINKS[p.table] + p.id : null;
      const done = h('button', { type: 'button', class: 'link' }, p.status === 'merged' ? t('common.ok') : t('problems.handled'));
      done.addEventListener('click', async () => { await db.problems.update(p.pid, { handled: 1 }); await refreshCounts(); fillProblems(); });
      list.append(h('li', { class: 'problem status-' + p.status, 'data-status': p.status },
        h('strong', {}, t('status.' + p.status) + ' · ' + t('table.' + p.table)),
        h('p', {}, t('problems.what.' + p.status)),
        p.message ? h('p', { class: 'muted' }, p.message) : null,
        errors ? h('p', { class: 'error' }, errors) : null,
        h('details', {}, h('summary', {}, t('problems.your_data')), h('pre', {}, JSON.stringify(p.fields, null, 1))),
        h('div', { class: 'actions' }, link ? h('a', { href: link }, t('problems.open')) : null,
          p.status === 'conflict' ? h('a', { href: '#/conflicts' }, t('conflicts.title')) : null, done)));
    }
    problems.append(list);
  };
  setRefresh(async () => { paint(); await fillProblems(); });
  await refreshCounts();
  paint();
  await fillProblems();
}

