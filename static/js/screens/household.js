// One household: details, visit history, open cases; edit (merged or flagged by the server).
import { t } from '../i18n.js';
import { h, fmtDateTime, fmtDate, backLink, field, deadlineBadge, levelName, toast, mount } from '../ui.js';
import { db } from '../db.js';
import { editHousehold, placeName, annotateVisit } from '../store.js';
import { go } from '../router.js';
import { setRefresh } from '../live.js';

export async function render(view, { id }) {
  const hh = await db.household.get(id);
  if (!hh) { mount(view, backLink('#/households'), h('p', { class: 'empty' }, t('household.missing'))); return; }
  const visits = (await db.visit.where('household_id').equals(id).toArray())
    .sort((a, b) => String(b.occurred_at).localeCompare(String(a.occurred_at)));
  const caseIds = new Set(visits.flatMap(v => v.case_ids || []));
  const cases = (await db.case.filter(c => c.status !== 'closed' && (caseIds.has(c.id) ||
    (c.parties || []).some(p => p.household_id === id))).toArray());
  const grid = await placeName(hh.grid_id);
  const notes = await db.visit_annotation.where('visit_id').anyOf(visits.map(v => v.id)).toArray();
  const rerender = () => { view.replaceChildren(); render(view, { id }); };

  mount(view, 
    backLink('#/households'),
    h('h1', {}, hh.head_name),
    h('dl', { class: 'facts' },
      h('dt', {}, t('household.address')), h('dd', {}, hh.address),
      h('dt', {}, t('household.phone')), h('dd', { id: 'hh-phone' }, hh.phone || '—'),
      h('dt', {}, t('household.members')), h('dd', {}, String(hh.member_count ?? '—')),
      h('dt', {}, t('household.grid')), h('dd', {}, grid),
      (hh.care_tags || []).length ? [h('dt', {}, t('household.care')), h('dd', {}, hh.care_tags.map(c => t('care.' + c)).join('、'))] : null),
    hh._pending ? h('p', { class: 'badge pending' }, t('common.pending')) : null,
    h('div', { class: 'actions' },
      h('a', { class: 'button primary', href: `#/household/${id}/visit` }, t('household.record_visit')),
      h('a', { class: 'button', href: `#/household/${id}/edit` }, t('household.edit'))),
    h('h2', {}, t('household.open_cases')),
    cases.length ? h('ul', { class: 'list' }, cases.map(c => h('li', {},
      h('a', { class: 'row', href: '#/case/' + c.id },
        h('span', { class: 'row-main' }, h('strong', {}, c.title), h('span', { class: 'muted' }, levelName(c))),
        deadlineBadge(c.deadline_at))))) : h('p', { class: 'empty' }, t('household.no_cases')),
    h('h2', {}, t('household.visits')),
    visits.length ? h('ul', { class: 'list visits' }, visits.map(v => h('li', { class: v._problem ? 'problem' : '' },
      h('div', { class: 'row-main' },
        h('strong', {}, fmtDateTime(v.occurred_at) + ' · ' + t('form.' + v.form)),
        h('span', { class: 'muted' }, (v.topics || []).map(x => t('topic.' + x)).join('、')),
        v.notes ? h('span', {}, v.notes) : null,
        v.answered_on_spot ? h('span', { class: 'badge ok' }, t('visit.answered')) : null,
        v._pending ? h('span', { class: 'badge pending' }, t('common.pending')) : null,
        v._problem ? h('span', { class: 'badge danger' }, t('status.' + v._problem)) : null,
        notes.filter(n => n.visit_id === v.id).sort((a, b) => String(a.occurred_at).localeCompare(String(b.occurred_at)))
          .map(n => h('span', { class: 'annotation' }, t('visit.correction') + ': ' + n.text, n._pending ? ' · ' + t('common.pending') : '')),
        correction(v, rerender))))) : h('p', { class: 'empty' }, t('household.no_visits')),
  );
  setRefresh(() => { if (!view.querySelector('details[open]')) rerender(); });
}

function correction(visit, after) {
  const text = h('textarea', { name: 'correction', rows: 2, maxlength: 4000 });
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'action-form', novalidate: true }, field(t('visit.correction'), text), error,
    h('button', { type: 'submit', class: 'primary' }, t('common.save')));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    if (!text.value.trim()) { error.textContent = t('common.required', { field: t('visit.correction') }); return; }
    try {
      await annotateVisit(visit, text.value.trim());
      toast(t('common.saved_local'));
      after();
    } catch (err) {
      error.textContent = t('common.save_failed') + ' ' + (err.message || '');
    }
  });
  return h('details', { class: 'action correction' }, h('summary', {}, t('visit.add_correction')), form);
}

export async function renderEdit(view, { id }) {
  const hh = await db.household.get(id);
  if (!hh) { mount(view, backLink('#/households'), h('p', {}, t('household.missing'))); return; }
  const address = h('input', { name: 'address', value: hh.address || '', required: true, maxlength: 200 });
  const headName = h('input', { name: 'head_name', value: hh.head_name || '', required: true, maxlength: 80 });
  const phone = h('input', { name: 'phone', type: 'tel', value: hh.phone || '', inputmode: 'tel', maxlength: 32 });
  const members = h('input', { name: 'member_count', type: 'number', min: 1, max: 99, value: hh.member_count || 1 });
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'card', novalidate: true },
    field(t('household.head'), headName), field(t('household.address'), address),
    field(t('household.phone'), phone), field(t('household.members'), members), error,
    h('button', { type: 'submit', class: 'primary' }, t('common.save')));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const changes = {};
    if (address.value.trim() !== (hh.address || '')) changes.address = address.value.trim();
    if (headName.value.trim() !== (hh.head_name || '')) changes.head_name = headName.value.trim();
    if (phone.value.trim() !== (hh.phone || '')) changes.phone = phone.value.trim() || null;
    const n = parseInt(members.value, 10);
    if (!(n >= 1 && n <= 99)) { error.textContent = t('household.members_range'); return; }
    if (n !== hh.member_count) changes.member_count = n;
    if (changes.phone && !/^[0-9+\- ]{3,32}$/.test(changes.phone)) { error.textContent = t('household.phone_format'); return; }
    if (!Object.keys(changes).length) { go('/household/' + id); return; }
    try {
      await editHousehold(id, changes);
      toast(t('common.saved_local'));
      go('/household/' + id);
    } catch (err) {
      error.textContent = t('common.save_failed') + ' ' + (err.message || '');
    }
  });
  mount(view, backLink('#/household/' + id), h('h1', {}, t('household.edit')), form);
}
