// The phone's database (IndexedDB through Dexie): pulled records, the outbox, problems, meta.
import Dexie from '../vendor/dexie.min.mjs';

// Tables the server sends in pull; each record keeps the server's version and server_seq.
export const TABLES = ['place', 'household', 'visit', 'visit_annotation', 'case', 'case_event', 'alert', 'sync_conflict'];

export const db = new Dexie('harmony');
db.version(1).stores({
  place: 'id, parent_id, kind',
  household: 'id, grid_id',
  visit: 'id, household_id, grid_id, occurred_at',
  visit_annotation: 'id, visit_id',
  case: 'id, grid_id, status, deadline_at',
  case_event: 'id, case_id, occurred_at',
  alert: 'id',
  sync_conflict: 'id',
  // One row per unsent mutation; mid increases per client and is never reused.
  outbox: 'mid, [table+id]',
  // Push results that need a person: rejected, forbidden, conflict, gone. Kept until handled.
  problems: '++pid, mid, handled',
  meta: 'key',
});

export async function getMeta(key, fallback = null) {
  const row = await db.meta.get(key);
  return row ? row.value : fallback;
}

export function setMeta(key, value) {
  return db.meta.put({ key, value });
}

// Run fn in one read-write transaction over the given tables; a quota error is reported, not lost.
export async function writeTx(tables, fn) {
  try {
    return await db.transaction('rw', tables.map(n => db.table(n)), fn);
  } catch (err) {
    if (isQuotaError(err)) {
      window.dispatchEvent(new CustomEvent('harmony:quota', { detail: err }));
    }
    throw err;
  }
}

export function isQuotaError(err) {
  for (let e = err; e; e = e.inner) {
    if (e.name === 'QuotaExceededError') return true;
  }
  return false;
}

// Allocate the next mid inside the caller's transaction (meta must be in its scope).
export async function nextMid() {
  const mid = (await getMeta('next_mid', 1));
  await setMeta('next_mid', mid + 1);
  return mid;
}
