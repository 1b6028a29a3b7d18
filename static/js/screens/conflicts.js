// Same-field clashes the server kept for a person to settle (pulled as sync_conflict records).
import { t } from '../i18n.js';
import { h, clear, fmtDateTime, toast, mount } from '../ui.js';
import { db } from '../db.js';
import { api } from '../api.js';
import { syncNow } from '../sync.js';
import { isSupervisor } from '../session.js';
import { setRefresh } from '../live.js';

const show = v => (v === null || v === undefined || v === '' ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export async function render(view) {
  const list = h('ul', { class: 'list conflicts', id: 'conflict-list' });
  mount(view, h('h1', {}, t('conflicts.title')), h('p', { class: 'hint' }, t('conflicts.explain')), list);
  const fill = async () => {
    const rows = (await db.sync_conflict.toArray()).filter(c => c.status === 'open');
    clear(list);
    if (!rows.length) { list.append(h('li', { class: 'empty' }, t('conflicts.none'))); return; }
    for (const c of rows) {
      const record = c.table_name === 'household' ? await db.household.get(c.record_id) : await db.case.get(c.record_id);
      const label = record ? (record.head_name || record.title || c.record_id) : c.record_id;
      const choose = (choice, text) => {
        const b = h('button', { type: 'button', class: choice === 'client' ? 'primary' : '', 'data-choice': choice }, text);
        b.addEventListener('click', async () => {
          if (!navigator.onLine) { toast(t('conflicts.needs_network'), 'error'); return; }
          b.disabled = true;
          try {
            await api(`/api/sync/conflicts/${c.id}/resolve`, { method: 'POST', body: { choice } });
            toast(t('conflicts.resolved'));
            await syncNow('conflict');
          } catch (err) {
            toast(err.message || t('common.error'), 'error');
            b.disabled = false;
          }
        });
        return b;
      };
      list.append(h('li', { class: 'conflict', 'data-field': c.field },
        h('strong', {}, t('table.' + c.table_name) + ' · ' + label + ' · ' + t('fieldname.' + c.field)),
        h('span', { class: 'muted' }, fmtDateTime(c.created_at)),
        h('dl', { class: 'facts' },
          h('dt', {}, t('conflicts.base')), h('dd', {}, show(c.base_value)),
          h('dt', {}, t('conflicts.server')), h('dd', { class: 'server-value' }, show(c.server_value)),
          h('dt', {}, t('conflicts.client')), h('dd', { class: 'client-value' }, show(c.client_value))),
        isSupervisor() ? h('div', { class: 'actions' }, choose('server', t('conflicts.keep_server')), choose('client', t('conflicts.take_client')))
          : h('p', { class: 'hint' }, t('conflicts.ask_supervisor'))));
    }
  };
  setRefresh(fill);
  await fill();
}
