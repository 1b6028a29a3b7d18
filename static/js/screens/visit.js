// Record a visit in a few taps: form, six-role topics, notes, answered on the spot, raise a case.
import { t } from '../i18n.js';
import { h, field, backLink, toast, mount } from '../ui.js';
import { db } from '../db.js';
import { FORMS, TOPICS, recordVisit } from '../store.js';
import { caseFieldset } from './case-form.js';
import { go } from '../router.js';

function toggle(label, pressed, onchange) {
  const b = h('button', { type: 'button', class: 'toggle', 'aria-pressed': String(!!pressed) }, label);
  b.addEventListener('click', () => {
    const now = b.getAttribute('aria-pressed') !== 'true';
    b.setAttribute('aria-pressed', String(now));
    onchange && onchange(now);
  });
  return b;
}

export async function render(view, { id }) {
  const hh = await db.household.get(id);
  if (!hh) { mount(view, backLink('#/households'), h('p', {}, t('household.missing'))); return; }
  let form = 'home_visit';
  const topics = new Set();
  let answered = false;
  let raise = false;

  const formButtons = FORMS.map(f => {
    const b = h('button', { type: 'button', class: 'toggle', role: 'radio', 'aria-checked': String(f === form), 'data-form': f }, t('form.' + f));
    b.addEventListener('click', () => {
      form = f;
      formButtons.forEach(x => x.setAttribute('aria-checked', String(x === b)));
    });
    return b;
  });
  const topicButtons = TOPICS.map(x => toggle(t('topic.' + x), false, on => (on ? topics.add(x) : topics.delete(x))));
  topicButtons.forEach((b, i) => b.setAttribute('data-topic', TOPICS[i]));
  const notes = h('textarea', { name: 'notes', rows: 4, maxlength: 4000, placeholder: t('visit.notes_hint') });
  const caseBox = caseFieldset(hh);
  caseBox.hidden = true;
  const saveButton = h('button', { type: 'submit', class: 'primary' }, t('visit.save'));
  const answeredToggle = toggle(t('visit.answered'), false, on => { answered = on; });
  answeredToggle.setAttribute('data-answered', '');
  const raiseToggle = toggle(t('visit.raise_case'), false, on => {
    raise = on;
    caseBox.hidden = !on;
    saveButton.textContent = on ? t('visit.save_with_case') : t('visit.save');
  });
  raiseToggle.setAttribute('data-raise', '');
  const error = h('p', { class: 'error', role: 'alert' });

  const el = h('form', { class: 'card', novalidate: true },
    h('fieldset', {}, h('legend', {}, t('visit.form')), h('div', { class: 'toggles', role: 'radiogroup' }, formButtons)),
    h('fieldset', {}, h('legend', {}, t('visit.topics')), h('div', { class: 'toggles' }, topicButtons)),
    field(t('visit.notes'), notes),
    h('div', { class: 'toggles' }, answeredToggle, raiseToggle),
    caseBox, error, saveButton);
  el.addEventListener('submit', async ev => {
    ev.preventDefault();
    error.textContent = '';
    let newCase = null;
    if (raise) {
      const r = caseBox.read();
      if (r.error) { error.textContent = r.error; r.focus.focus(); return; }
      newCase = { ...r.values, grid_id: hh.grid_id, source: 'visit' };
    }
    saveButton.disabled = true;
    try {
      const { caseId } = await recordVisit({ household_id: id, grid_id: hh.grid_id, form, topics: TOPICS.filter(x => topics.has(x)),
        notes: notes.value.trim(), answered_on_spot: answered }, newCase);
      toast(navigator.onLine ? t('visit.saved') : t('visit.saved_offline'));
      go(caseId ? '/case/' + caseId : '/household/' + id);
    } catch (err) {
      saveButton.disabled = false;
      error.textContent = t('common.save_failed') + ' ' + (err.message || '');
    }
  });
  mount(view, backLink('#/household/' + id), h('h1', {}, t('visit.title')),
    h('p', { class: 'muted' }, hh.head_name + ' · ' + hh.address), el);
}
