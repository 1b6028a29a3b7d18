// Local writes (record + outbox entry in ONE transaction) and the queries screens need.
import { db, nextMid, writeTx } from './db.js';
import { syncSoon } from './sync.js';
import { currentUser, roleNames } from './session.js';
import { uuid } from './ui.js';

export const VISIT_INTERVAL_DAYS = 30;
export const FORMS = ['home_visit', 'family_stay', 'contact_card', 'phone_call'];
export const TOPICS = ['liaison', 'residents_views', 'mediation', 'policy_law', 'public_affairs', 'safety'];
export const CATEGORIES = ['neighbour', 'family', 'land_housing', 'labour_wages', 'medical', 'traffic_accident', 'environment', 'public_services', 'other'];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const DAY = 86400000;

async function queue(table, op, id, fields, baseVersion) {
  const mid = await nextMid();
  await db.outbox.add({ mid, table, op, id, base_version: baseVersion ?? null, fields, client_ts: new Date().toISOString() });
}

// A visit, and when raised with it a new case, saved together: nothing half-recorded.
export async function recordVisit(visit, newCase) {
  const now = new Date().toISOString();
  const user = currentUser();
  const visitId = uuid();
  let caseId = null;
  await writeTx(['visit', 'case', 'outbox', 'meta'], async () => {
    if (newCase) {
      caseId = uuid();
      const fields = caseFields(newCase);
      await queue('case', 'create', caseId, fields, null);
      await db.case.put({ ...fields, id: caseId, status: 'open', level: 1, opened_at: now, reported_by_id: user.id,
        ladder_levels: [], version: 0, _pending: 1 });
    }
    const fields = { household_id: visit.household_id, form: visit.form, topics: visit.topics, notes: visit.notes,
      answered_on_spot: !!visit.answered_on_spot, case_ids: caseId ? [caseId] : [] };
    await queue('visit', 'create', visitId, fields, null);
    await db.visit.put({ ...fields, id: visitId, grid_id: visit.grid_id, promoter_id: user.id, occurred_at: now, version: 0, _pending: 1 });
  });
  syncSoon();
  return { visitId, caseId };
}

function caseFields(c) {
  return { grid_id: c.grid_id, title: c.title, category: c.category, description: c.description || '',
    parties: c.parties || [], priority: c.priority || 'normal', source: c.source || 'visit' };
}

export async function openCase(c) {
  const id = uuid();
  const fields = caseFields(c);
  await writeTx(['case', 'outbox', 'meta'], async () => {
    await queue('case', 'create', id, fields, null);
    await db.case.put({ ...fields, id, status: 'open', level: 1, opened_at: new Date().toISOString(),
      reported_by_id: currentUser().id, ladder_levels: [], version: 0, _pending: 1 });
  });
  syncSoon();
  return id;
}

export async function addCaseEvent(caseId, kind, data) {
  const id = uuid();
  const fields = { case_id: caseId, kind, data: data || {} };
  await writeTx(['case_event', 'outbox', 'meta'], async () => {
    await queue('case_event', 'create', id, fields, null);
    await db.case_event.put({ ...fields, id, actor_id: currentUser().id, occurred_at: new Date().toISOString(), version: 0, _pending: 1 });
  });
  syncSoon();
  return id;
}

// Visits are never edited once recorded: a correction is appended to them.
export async function annotateVisit(visit, text) {
  const id = uuid();
  const fields = { visit_id: visit.id, text };
  await writeTx(['visit_annotation', 'outbox', 'meta'], async () => {
    await queue('visit_annotation', 'create', id, fields, null);
    await db.visit_annotation.put({ ...fields, id, grid_id: visit.grid_id, author_id: currentUser().id,
      occurred_at: new Date().toISOString(), version: 0, _pending: 1 });
  });
  syncSoon();
  return id;
}

// Only the changed fields are sent, with the version they were made from, so the server can merge.
export async function editHousehold(id, changes) {
  await writeTx(['household', 'outbox', 'meta'], async () => {
    const record = await db.household.get(id);
    const base = record._base_version || record.version;
    await queue('household', 'update', id, changes, base);
    await db.household.update(id, { ...changes, _pending: 1, _base_version: base });
  });
  syncSoon();
}

export async function markAlertRead(alert) {
  if (alert.read_at) return;
  const readAt = new Date().toISOString();
  await writeTx(['alert', 'outbox', 'meta'], async () => {
    await queue('alert', 'update', alert.id, { read_at: readAt }, alert.version || 1);
    await db.alert.update(alert.id, { read_at: readAt, _pending: 1 });
  });
  syncSoon();
}

// ---- queries

export async function placeName(id) {
  const p = id == null ? null : await db.place.get(id);
  return p ? p.name_zh : '';
}

export async function lastVisits() {
  const last = new Map();
  await db.visit.each(v => {
    const prev = last.get(v.household_id);
    if (!prev || v.occurred_at > prev) last.set(v.household_id, v.occurred_at);
  });
  return last;
}

// Households with days since last visit; the overdue (never or > interval) first.
export async function householdsWithVisits(query) {
  const [households, last] = await Promise.all([db.household.toArray(), lastVisits()]);
  const now = Date.now();
  const q = (query || '').trim().toLowerCase();
  const rows = households
    .filter(h => h.active !== false && !h.deleted)
    .filter(h => !q || [h.head_name, h.address, h.code, h.phone].some(v => v && String(v).toLowerCase().includes(q)))
    .map(h => {
      const lv = last.get(h.id) || h.last_visit_at || null;
      const days = lv ? Math.floor((now - new Date(lv)) / DAY) : null;
      return { ...h, last_visit_at: lv, days, overdue: days === null || days > VISIT_INTERVAL_DAYS };
    });
  rows.sort((a, b) => (b.overdue - a.overdue) || ((b.days ?? 1e9) - (a.days ?? 1e9)) || String(a.address).localeCompare(String(b.address)));
  return rows;
}

export async function caseEvents(caseId) {
  const events = await db.case_event.where('case_id').equals(caseId).toArray();
  events.sort((a, b) => String(a.occurred_at).localeCompare(String(b.occurred_at)));
  return events;
}

// The case as the phone should show it: the server's state plus unsent events folded on top.
export function withPendingEvents(c, events) {
  const view = { ...c };
  for (const e of events.filter(x => x._pending)) {
    if (e.kind === 'escalated') view.level = Math.min((view.level || 1) + 1, (c.ladder_levels || []).length || 99);
    else if (e.kind === 'deescalated') view.level = Math.max((view.level || 1) - 1, 1);
    else if (e.kind === 'resolved') view.status = 'resolved';
    else if (e.kind === 'reopened') view.status = 'open';
    else if (e.kind === 'closed') view.status = 'closed';
    else if (e.kind === 'satisfaction') view.satisfaction = e.data.rating;
  }
  view._pendingEvents = events.some(x => x._pending);
  return view;
}

// Cases whose current level this user owns (by role), or that are assigned to them; soonest deadline first.
export async function casesAtMyLevel() {
  const mine = roleNames();
  const me = currentUser().id;
  const cases = await db.case.filter(c => c.status === 'open').toArray();
  const waiting = cases.filter(c => {
    const lv = (c.ladder_levels || [])[(c.level || 1) - 1];
    return c.owner_id === me || (lv && mine.has(lv.owner_role));
  });
  return byDeadline(waiting);
}

export function byDeadline(cases) {
  return cases.sort((a, b) => String(a.deadline_at || '9999').localeCompare(String(b.deadline_at || '9999')));
}

export async function allCases(filter) {
  let cases = await db.case.toArray();
  if (filter === 'open') cases = cases.filter(c => c.status === 'open');
  return byDeadline(cases);
}
