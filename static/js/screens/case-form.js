// A new case: on its own (walk-in, phone) or raised from a visit (saved with it).
import { t } from '../i18n.js';
import { h, field, select, backLink, toast, mount } from '../ui.js';
import { db } from '../db.js';
import { CATEGORIES, PRIORITIES, openCase } from '../store.js';
import { go } from '../router.js';

// The case fields as a fieldset; read() returns {values} or {error}.
export function caseFieldset(household) {
  const title = h('input', { name: 'title', maxlength: 200, required: true });
  const category = select('category', CATEGORIES.map(c => [c, t('category.' + c)]), 'neighbour');
  const priority = select('priority', PRIORITIES.map(p => [p, t('priority.' + p)]), 'normal');
  const description = h('textarea', { name: 'description', rows: 3, maxlength: 4000 });
  const fieldset = h('fieldset', { class: 'case-fields' }, h('legend', {}, t('case.new')),
    field(t('case.title'), title), field(t('case.category'), category), field(t('case.priority'), priority),
    field(t('case.description'), description));
  fieldset.read = () => {
    if (!title.value.trim()) return { error: t('case.title_required'), focus: title };
    return { values: {
      title: title.value.trim(), category: category.value, priority: priority.value, description: description.value.trim(),
      parties: household ? [{ name: household.head_name, role: 'resident', household_id: household.id }] : [],
    } };
  };
  return fieldset;
}

export async function render(view, params, query) {
  const householdId = query.get('household');
  const household = householdId ? await db.household.get(householdId) : null;
  const grids = (await db.place.where('kind').equals('grid').toArray()).sort((a, b) => String(a.code).localeCompare(String(b.code)));
  // Without a household the case needs a grid; a supervisor with many grids picks one.
  const gridSelect = !household && grids.length > 1 ? select('grid_id', grids.map(g => [g.id, g.name_zh]), grids[0].id) : null;
  const source = select('source', ['walk_in', 'phone', 'resident_request', 'visit'].map(s => [s, t('source.' + s)]), 'walk_in');
  const fields = caseFieldset(household);
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'card', novalidate: true }, gridSelect ? field(t('household.grid'), gridSelect) : null,
    fields, field(t('case.source'), source), error,
    h('button', { type: 'submit', class: 'primary' }, t('common.save')));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const r = fields.read();
    if (r.error) { error.textContent = r.error; r.focus.focus(); return; }
    const gridId = household ? household.grid_id : gridSelect ? Number(gridSelect.value) : grids[0] && grids[0].id;
    if (gridId == null) { error.textContent = t('case.no_grid'); return; }
    try {
      const id = await openCase({ ...r.values, grid_id: gridId, source: source.value });
      toast(t('common.saved_local'));
      go('/case/' + id);
    } catch (err) {
      error.textContent = t('common.save_failed') + ' ' + (err.message || '');
    }
  });
  mount(view, backLink(household ? '#/household/' + household.id : '#/cases'), h('h1', {}, t('case.new')),
    household ? h('p', { class: 'muted' }, household.head_name + ' · ' + household.address) : null, form);
}
