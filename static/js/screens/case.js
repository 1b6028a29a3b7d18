// A case: state, timeline (rejected events shown with their reason), and the actions of each level.
import { t, lang } from '../i18n.js';
import { h, fmtDateTime, backLink, field, deadlineBadge, levelName, toast, mount } from '../ui.js';
import { db } from '../db.js';
import { addCaseEvent, caseEvents, withPendingEvents } from '../store.js';
import { currentUser, isSupervisor, roleNames } from '../session.js';
import { setRefresh } from '../live.js';

function eventText(e) {
  const d = e.data || {};
  switch (e.kind) {
    case 'note': return d.text;
    case 'mediation': return [d.held_on, (d.participants || []).join('、'), d.outcome].filter(Boolean).join(' · ');
    case 'escalated': return t('event.to_level', { n: d.to_level }) + (d.reason ? ' · ' + d.reason : '');
    case 'deescalated': return t('event.to_level', { n: d.to_level }) + (d.instructions ? ' · ' + d.instructions : '');
    case 'resolved': return [d.outcome, d.agreement].filter(Boolean).join(' · ');
    case 'satisfaction': return '★'.repeat(d.rating || 0) + (d.comment ? ' · ' + d.comment : '');
    case 'reopened': case 'closed': return d.reason || '';
    default: return d.note || d.text || '';
  }
}

// A small form for one action; fields: [name, label, type, required, extra]
function actionForm(kind, title, specs, caseId, toData, after) {
  const inputs = {};
  const error = h('p', { class: 'error', role: 'alert' });
  const controls = specs.map(([name, label, type, required, extra]) => {
    const el = type === 'textarea' ? h('textarea', { name, rows: 3, required, maxlength: 4000 })
      : type === 'select' ? h('select', { name }, extra.map(([v, l]) => h('option', { value: v }, l)))
        : h('input', { name, type: type || 'text', required, value: extra || '' });
    inputs[name] = el;
    return field(label, el);
  });
  const form = h('form', { class: 'action-form', 'data-kind': kind, novalidate: true }, controls, error, h('button', { type: 'submit', class: 'primary' }, title));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    for (const [name, label, , required] of specs) {
      if (required && !String(inputs[name].value).trim()) { error.textContent = t('common.required', { field: label }); inputs[name].focus(); return; }
    }
    try {
      await addCaseEvent(caseId, kind, toData(inputs));
      toast(t('common.saved_local'));
      after();
    } catch (err) {
      error.textContent = t('common.save_failed') + ' ' + (err.message || '');
    }
  });
  return h('details', { class: 'action' }, h('summary', {}, title), form);
}

export async function render(view, { id }) {
  const stored = await db.case.get(id);
  if (!stored) { mount(view, backLink('#/cases'), h('p', { class: 'empty' }, t('case.missing'))); return; }
  const events = await caseEvents(id);
  const c = withPendingEvents(stored, events);
  const levels = c.ladder_levels || [];
  const level = levels[(c.level || 1) - 1] || {};
  const me = currentUser();
  const rerender = () => { view.replaceChildren(); render(view, { id }); };
  const today = new Date().toISOString().slice(0, 10);

  const actions = [];
  actions.push(actionForm('note', t('action.note'), [['text', t('field.text'), 'textarea', true]], id, i => ({ text: i.text.value.trim() }), rerender));
  if (c.status === 'open') {
    actions.push(actionForm('mediation', t('action.mediation'), [
      ['held_on', t('field.held_on'), 'date', true, today], ['participants', t('field.participants'), 'text', false],
      ['outcome', t('field.outcome'), 'textarea', true]], id,
    i => ({ held_on: i.held_on.value, participants: i.participants.value.split(/[,，、]/).map(s => s.trim()).filter(Boolean), outcome: i.outcome.value.trim() }), rerender));
    if (level.leader_required && !c.leader_id && roleNames().has(level.owner_role)) {
      const b = h('button', { type: 'button', class: 'button' }, t('action.lead_myself'));
      b.addEventListener('click', async () => { await addCaseEvent(id, 'leader_assigned', { leader_id: me.id }); rerender(); });
      actions.push(b);
    }
    if (isSupervisor() && c.owner_id !== me.id) {
      const b = h('button', { type: 'button', class: 'button', 'data-kind': 'accepted' }, t('action.accept'));
      b.addEventListener('click', async () => { await addCaseEvent(id, 'accepted', { level: c.level }); toast(t('common.saved_local')); rerender(); });
      actions.push(b);
    }
    if (!levels.length || c.level < levels.length) {
      const next = levels[c.level] ? (lang() === 'en' ? levels[c.level].name_en : levels[c.level].name_zh) : t('case.level_n', { n: (c.level || 1) + 1 });
      actions.push(actionForm('escalated', t('action.escalate', { to: next }), [['reason', t('field.reason'), 'textarea', true]], id,
        i => ({ to_level: (c.level || 1) + 1, reason: i.reason.value.trim() }), rerender));
    }
    if (isSupervisor() && c.level > 1) {
      const lower = levels.slice(0, c.level - 1).map((l, k) => [k + 1, (lang() === 'en' ? l.name_en : l.name_zh) || String(k + 1)]);
      actions.push(actionForm('deescalated', t('action.deescalate'), [['to_level', t('field.to_level'), 'select', true, lower.reverse()],
        ['instructions', t('field.instructions'), 'textarea', true]], id,
      i => ({ to_level: parseInt(i.to_level.value, 10), instructions: i.instructions.value.trim() }), rerender));
    }
    actions.push(actionForm('resolved', t('action.resolve'), [['outcome', t('field.outcome'), 'textarea', true], ['agreement', t('field.agreement'), 'textarea', false]], id,
      i => ({ outcome: i.outcome.value.trim(), ...(i.agreement.value.trim() ? { agreement: i.agreement.value.trim() } : {}) }), rerender));
  } else {
    if (c.status === 'resolved') {
      actions.push(satisfaction(id, rerender));
      actions.push(actionForm('closed', t('action.close'), [['reason', t('field.reason'), 'textarea', false]], id,
        i => (i.reason.value.trim() ? { reason: i.reason.value.trim() } : {}), rerender));
    }
    actions.push(actionForm('reopened', t('action.reopen'), [['reason', t('field.reason'), 'textarea', true]], id, i => ({ reason: i.reason.value.trim() }), rerender));
  }

  mount(view, 
    backLink('#/cases'),
    h('h1', {}, c.title),
    h('p', { class: 'case-state' },
      h('span', { class: 'badge' }, t('status.case_' + c.status)), ' ',
      h('span', { class: 'badge', id: 'case-level' }, levels.length ? levelName(c) : t('common.pending')), ' ',
      c.status === 'open' ? deadlineBadge(c.deadline_at) : null,
      c._pendingEvents || c._pending ? h('span', { class: 'badge pending' }, t('common.pending')) : null),
    h('dl', { class: 'facts' },
      h('dt', {}, t('case.category')), h('dd', {}, t('category.' + c.category)),
      h('dt', {}, t('case.priority')), h('dd', {}, t('priority.' + (c.priority || 'normal'))),
      c.description ? [h('dt', {}, t('case.description')), h('dd', {}, c.description)] : null,
      (c.parties || []).length ? [h('dt', {}, t('case.parties')), h('dd', {}, c.parties.map(p => p.name).join('、'))] : null,
      c.satisfaction ? [h('dt', {}, t('case.satisfaction')), h('dd', {}, '★'.repeat(c.satisfaction))] : null),
    h('h2', {}, t('case.actions')), h('div', { class: 'actions-list' }, actions),
    h('h2', {}, t('case.timeline')),
    h('ol', { class: 'timeline' }, events.map(e => h('li', { class: e.rejected_reason ? 'rejected' : '' },
      h('div', {}, h('strong', {}, t('event.' + e.kind)), ' ', h('span', { class: 'muted' }, fmtDateTime(e.occurred_at)),
        e.actor_id === me.id ? h('span', { class: 'muted' }, ' · ' + t('common.me')) : null,
        e._pending ? h('span', { class: 'badge pending' }, t('common.pending')) : null),
      eventText(e) ? h('p', {}, eventText(e)) : null,
      e.rejected_reason ? h('p', { class: 'error' }, t('event.rejected') + ': ' + e.rejected_reason) : null))),
  );
  setRefresh(() => { if (!view.querySelector('details[open]')) rerender(); });
}

function satisfaction(caseId, after) {
  let rating = 0;
  const stars = [1, 2, 3, 4, 5].map(n => {
    const b = h('button', { type: 'button', class: 'toggle star', role: 'radio', 'aria-checked': 'false', 'aria-label': t('field.rating_n', { n }) }, String(n) + '★');
    b.addEventListener('click', () => { rating = n; stars.forEach((s, i) => s.setAttribute('aria-checked', String(i + 1 === n))); });
    return b;
  });
  const comment = h('textarea', { name: 'comment', rows: 2, maxlength: 4000 });
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'action-form', 'data-kind': 'satisfaction', novalidate: true },
    h('fieldset', {}, h('legend', {}, t('field.rating')), h('div', { class: 'toggles', role: 'radiogroup' }, stars)),
    field(t('field.comment'), comment), error, h('button', { type: 'submit', class: 'primary' }, t('action.satisfaction')));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    if (!rating) { error.textContent = t('field.rating_required'); return; }
    await addCaseEvent(caseId, 'satisfaction', { rating, ...(comment.value.trim() ? { comment: comment.value.trim() } : {}) });
    toast(t('common.saved_local'));
    after();
  });
  return h('details', { class: 'action' }, h('summary', {}, t('action.satisfaction')), form);
}
