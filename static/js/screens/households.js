// My grid's households, overdue visits first, with search.
import { t } from '../i18n.js';
import { h, clear, fmtDate, mount } from '../ui.js';
import { householdsWithVisits, VISIT_INTERVAL_DAYS } from '../store.js';
import { setRefresh } from '../live.js';

export async function render(view, params, query) {
  const search = h('input', { type: 'search', name: 'q', placeholder: t('households.search'), 'aria-label': t('households.search'), value: query.get('q') || '' });
  const summary = h('p', { class: 'summary', 'aria-live': 'polite' });
  const list = h('ul', { class: 'list', id: 'household-list' });
  mount(view, h('h1', {}, t('households.title')), search, summary, list);

  const fill = async () => {
    const rows = await householdsWithVisits(search.value);
    clear(list);
    const overdue = rows.filter(r => r.overdue).length;
    summary.textContent = t('households.summary', { n: rows.length, overdue, days: VISIT_INTERVAL_DAYS });
    if (!rows.length) list.append(h('li', { class: 'empty' }, t('households.empty')));
    for (const r of rows) {
      const days = r.days === null ? t('households.never') : t('households.days_ago', { n: r.days });
      list.append(h('li', { class: r.overdue ? 'overdue' : '' },
        h('a', { href: '#/household/' + r.id, class: 'row' },
          h('span', { class: 'row-main' }, h('strong', {}, r.head_name), h('span', { class: 'muted' }, r.address)),
          h('span', { class: 'badge ' + (r.overdue ? 'danger' : 'ok'), title: r.last_visit_at ? fmtDate(r.last_visit_at) : '' },
            r.overdue ? '⚠ ' + days : days))));
    }
  };
  let debounce;
  search.addEventListener('input', () => { clearTimeout(debounce); debounce = setTimeout(fill, 150); });
  setRefresh(fill);
  await fill();
}
