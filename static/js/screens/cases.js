// Cases: waiting at my level (supervisors) or in my grid (promoters), soonest deadline first.
import { t } from '../i18n.js';
import { h, clear, deadlineBadge, levelName, mount } from '../ui.js';
import { casesAtMyLevel, allCases } from '../store.js';
import { isSupervisor } from '../session.js';
import { setRefresh } from '../live.js';

export async function render(view, params, query) {
  const supervisor = isSupervisor();
  const tab = query.get('tab') || (supervisor ? 'mine' : 'open');
  const tabs = supervisor ? [['mine', 'cases.waiting'], ['open', 'cases.open'], ['all', 'cases.all']] : [['open', 'cases.open'], ['all', 'cases.all']];
  const list = h('ul', { class: 'list', id: 'case-list' });
  mount(view, 
    h('h1', {}, supervisor ? t('cases.title_supervisor') : t('cases.title')),
    h('nav', { class: 'segmented', 'aria-label': t('cases.filter') }, tabs.map(([key, label]) =>
      h('a', { href: '#/cases?tab=' + key, class: key === tab ? 'active' : '', 'aria-current': key === tab ? 'true' : null }, t(label)))),
    h('a', { class: 'button', href: '#/case/new' }, '+ ' + t('case.new')),
    list);
  const fill = async () => {
    const cases = tab === 'mine' ? await casesAtMyLevel() : await allCases(tab === 'open' ? 'open' : null);
    clear(list);
    if (!cases.length) list.append(h('li', { class: 'empty' }, t('cases.empty')));
    for (const c of cases) {
      list.append(h('li', { class: c.deadline_at && new Date(c.deadline_at) < new Date() && c.status === 'open' ? 'overdue' : '' },
        h('a', { class: 'row', href: '#/case/' + c.id },
          h('span', { class: 'row-main' }, h('strong', {}, c.title),
            h('span', { class: 'muted' }, [t('category.' + c.category), c.ladder_levels && c.ladder_levels.length ? levelName(c) : t('common.pending'), t('status.case_' + c.status)].join(' · '))),
          c.status === 'open' ? deadlineBadge(c.deadline_at) : h('span', { class: 'badge ok' }, t('status.case_' + c.status)))));
    }
  };
  setRefresh(fill);
  await fill();
}
