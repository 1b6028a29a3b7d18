// My grid's households, overdue visits first, with search.
import { t } from '../i18n.js';
import { h, clear, fmtDate, mount } from '../ui.js';
import { householdsWithVisits, VISIT_INTERVAL_DAYS } from '../store.js';
import { setRefresh } from '../live.js';

const MAX_ROWS = 300;

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
    // A township's tree holds thousands of households: draw the most overdue first, search for the rest.
    for (const r of rows.slice(0, MAX_ROWS)) {
      const days = r.days === null ? t('households.never') : t('households.days_ago', { n: r.days });
      list.append(h('li', { class: r.overdue ? 'overdue' : '' },
        h('a', { href: '#/household/' + r.id, class: 'row' },
          h('span', { class: 'row-main' }, h('strong', {}, r.head_name), h('span', { class: 'muted' }, r.address)),
          h('span', { class: 'badge ' + (r.overdue ? 'danger' : 'ok'), title: r.last_visit_at ? fmtDate(r.last_visit_at) : '' },
            r.overdue ? '⚠ ' + days : days))));
    }
    if (rows.length > MAX_ROWS) list.append(h('li', { class: 'empty' }, t('households.more', { n: rows.length - MAX_ROWS })));
  };
  let debounce;
  search.addEventListener('input', () => { clearTimeout(debounce); debounce = setTimeout(fill, 150); });
  setRefresh(fill);
  await fill();
}
