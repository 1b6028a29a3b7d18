// Alert inbox: overdue and due-soon cases, unread first; opening one marks it read (synced).
import { t } from '../i18n.js';
import { h, clear, fmtDateTime, mount } from '../ui.js';
import { db } from '../db.js';
import { markAlertRead } from '../store.js';
import { go } from '../router.js';
import { setRefresh } from '../live.js';

export async function render(view) {
  const summary = h('p', { class: 'summary', id: 'unread-count', 'aria-live': 'polite' });
  const list = h('ul', { class: 'list', id: 'alert-list' });
  mount(view, h('h1', {}, t('alerts.title')), summary, list);
  const fill = async () => {
    const rows = (await db.alert.toArray()).sort((a, b) => (!!a.read_at - !!b.read_at) || String(b.created_at).localeCompare(String(a.created_at)));
    const unread = rows.filter(a => !a.read_at).length;
    summary.textContent = t('alerts.unread', { n: unread });
    clear(list);
    if (!rows.length) list.append(h('li', { class: 'empty' }, t('alerts.none')));
    for (const a of rows) {
      const open = h('button', { type: 'button', class: 'row alert-row' },
        h('span', { class: 'row-main' },
          h('strong', {}, (a.read_at ? '' : '● ') + (a.title || t('alert.' + a.kind))),
          a.body ? h('span', { class: 'muted' }, a.body) : null,
          h('span', { class: 'muted' }, fmtDateTime(a.created_at))),
        h('span', { class: 'badge ' + (a.kind === 'overdue' ? 'danger' : 'warn') }, t('alert.' + a.kind)));
      open.addEventListener('click', async () => {
        await markAlertRead(a);
        if (a.case_id) go('/case/' + a.case_id); else fill();
      });
      list.append(h('li', { class: a.read_at ? 'read' : 'unread', 'data-kind': a.kind, 'data-case': a.case_id || null }, open));
    }
  };
  setRefresh(fill);
  await fill();
}
