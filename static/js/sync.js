// The sync loop: push the outbox (batches, increasing mid), then pull pages until has_more is false.
// One tab at a time (Web Locks); triggers are app open, `online`, the Sync button and a timer —
// never Background Sync, which Safari lacks.
import { api } from './api.js';
import { db, TABLES, getMeta, setMeta, isQuotaError } from './db.js';

const PUSH_BATCH = 200;
const PULL_LIMIT = 500;
const TIMER_MS = 2 * 60 * 1000;
export const NEEDS_PERSON = ['rejected', 'forbidden', 'conflict', 'gone'];

export const state = { running: false, phase: 'idle', sent: 0, received: 0, error: null, lastSyncAt: null, unsent: 0, problems: 0 };
const listeners = new Set();
const channel = 'BroadcastChannel' in self ? new BroadcastChannel('harmony-sync') : null;

export function onSyncState(fn) { listeners.add(fn); return () => listeners.delete(fn); }
function emit(patch) {
  Object.assign(state, patch);
  for (const fn of listeners) fn(state);
}

export async function refreshCounts() {
  const [unsent, problems, lastSyncAt] = await Promise.all([
    db.outbox.count(),
    db.problems.where('handled').equals(0).filter(p => NEEDS_PERSON.includes(p.status)).count(),
    getMeta('last_sync_at'),
  ]);
  emit({ unsent, problems, lastSyncAt });
}

let inFlight = null;
let followUp = null;
export function syncNow(reason = 'manual') {
  // A sync already under way may have pulled before the change that asks for this one (a conflict
  // just resolved online): run once more after it, and let every caller meanwhile share that run.
  if (inFlight) return (followUp ||= inFlight.then(() => { followUp = null; return syncNow(reason); }));
  inFlight = (async () => {
    try {
      if (navigator.locks && navigator.locks.request) {
        // ifAvailable: when another tab holds the lock it is already syncing for us.
        return await navigator.locks.request('harmony-sync', { ifAvailable: true },
          lock => (lock ? runSync(reason) : { ok: false, skipped: 'other_tab' }));
      }
      return await runSync(reason);
    } finally {
      inFlight = null;
    }
  })();
  return inFlight;
}

async function runSync(reason) {
  if (!(await getMeta('token'))) return { ok: false, skipped: 'logged_out' };
  const clientId = await getMeta('client_id');
  emit({ running: true, phase: 'push', sent: 0, received: 0, error: null });
  try {
    await pushAll(clientId);
    emit({ phase: 'pull' });
    await pullAll(clientId);
    const at = new Date().toISOString();
    await setMeta('last_sync_at', at);
    if (channel) channel.postMessage({ type: 'synced', at });
    return { ok: true, reason };
  } catch (err) {
    emit({ error: describe(err) });
    return { ok: false, error: err };
  } finally {
    // A counter on <html> lets tests (and curious people) see that a sync attempt finished.
    document.documentElement.dataset.syncs = String(Number(document.documentElement.dataset.syncs || 0) + 1);
    emit({ running: false, phase: 'idle' });
    await refreshCounts();
    window.dispatchEvent(new CustomEvent('harmony:data'));
  }
}

function describe(err) {
  if (isQuotaError(err)) return 'quota';
  if (err.code === 'offline') return 'offline';
  if (err.status === 401) return 'unauthorized';
  if (err.status === 426) return 'upgrade';
  if (err.status === 403) return 'forbidden_client';
  return err.message || String(err);
}

// ---- push

async function pushAll(clientId) {
  let size = PUSH_BATCH;
  for (;;) {
    const batch = await db.outbox.orderBy('mid').limit(size).toArray();
    if (!batch.length) return;
    let body;
    try {
      body = await api('/api/sync/push', { method: 'POST', body: {
        client_id: clientId, schema_version: 1,
        mutations: batch.map(m => ({ mid: m.mid, table: m.table, op: m.op, id: m.id, base_version: m.base_version ?? null,
          fields: m.fields || {}, client_ts: m.client_ts })),
      } });
    } catch (err) {
      if (err.status === 413 && size > 1) { size = Math.max(1, Math.floor(size / 2)); continue; }
      throw err;
    }
    const done = await applyResults(batch, body.results || []);
    if (!done) throw new Error('push: the server answered none of the mutations');
    emit({ sent: state.sent + done });
  }
}

// Results, outbox removal and problem entries are written in one transaction: a closed page
// mid-way leaves the outbox as it was, and a re-push gets the original results back (duplicate).
async function applyResults(batch, results) {
  const byMid = new Map(batch.map(m => [m.mid, m]));
  let done = 0;
  await db.transaction('rw', [...TABLES.map(n => db.table(n)), db.outbox, db.problems], async () => {
    for (const r of results) {
      const m = byMid.get(r.mid);
      if (!m) continue;
      await db.outbox.delete(m.mid);
      done += 1;
      const table = db.table(m.table);
      const record = await table.get(m.id);
      const stillPending = await db.outbox.where('[table+id]').equals([m.table, m.id]).count();
      if (record && r.status === 'gone') {
        await table.delete(m.id);  // deleted on the server; what was sent stays in the problem entry
      } else if (record) {
        const patch = {};
        if (r.version != null) patch.version = r.version;
        if (r.server_seq != null) patch.server_seq = r.server_seq;
        if (!stillPending) { patch._pending = 0; patch._base_version = undefined; }
        if (NEEDS_PERSON.includes(r.status)) patch._problem = r.status;
        await table.update(m.id, patch);
      }
      if (NEEDS_PERSON.includes(r.status) || r.status === 'merged') {
        await db.problems.add({
          mid: m.mid, status: r.status, table: m.table, id: m.id, op: m.op, fields: m.fields,
          message: r.message || '', errors: r.errors || {}, conflicts: r.conflicts || [],
          at: new Date().toISOString(), handled: r.status === 'merged' ? 2 : 0,
        });
      }
    }
  });
  return done;
}

// ---- pull

async function pullAll(clientId) {
  let cursor = await getMeta('cursor');
  for (;;) {
    const body = await api('/api/sync/pull', { method: 'POST', body: { client_id: clientId, cursor, limit: PULL_LIMIT } });
    // Each page and its cursor in one transaction: an interrupted first sync resumes, not restarts.
    await db.transaction('rw', [...TABLES.map(n => db.table(n)), db.outbox, db.meta], async () => {
      if (body.reset) await dropLocalCopies();
      for (const change of body.changes || []) await applyChange(change);
      await setMeta('cursor', body.cursor);
    });
    cursor = body.cursor;
    emit({ received: state.received + (body.changes || []).length });
    if (!body.has_more) return;
  }
}

// A reset re-downloads everything; records with unsent changes stay (the outbox is never dropped).
async function dropLocalCopies() {
  for (const name of TABLES) {
    await db.table(name).filter(r => !r._pending).delete();
  }
}

async function applyChange(change) {
  if (!TABLES.includes(change.table)) return;
  const table = db.table(change.table);
  if (change.op === 'delete' || change.op === 'remove') {
    await table.delete(change.id);
    return;
  }
  const record = { ...change.fields, id: change.id, version: change.version, server_seq: change.server_seq };
  // Unsent local edits stay on top of the server's copy until they are pushed.
  const pending = await db.outbox.where('[table+id]').equals([change.table, change.id]).sortBy('mid');
  for (const m of pending) Object.assign(record, m.fields || {});
  if (pending.length) {
    record._pending = 1;
    const old = await table.get(change.id);
    if (old && old._base_version) record._base_version = old._base_version;
  }
  await table.put(record);
}

// ---- triggers

let timer = null;
export function startTriggers() {
  if (timer) return;
  window.addEventListener('online', () => syncNow('online'));
  if (channel) channel.onmessage = () => { refreshCounts(); window.dispatchEvent(new CustomEvent('harmony:data')); };
  timer = setInterval(() => {
    if (navigator.onLine && document.visibilityState === 'visible') syncNow('timer');
  }, TIMER_MS);
}

// After a local write: try soon when online, so work reaches the server without a tap.
let soon = null;
export function syncSoon() {
  refreshCounts();
  if (!navigator.onLine) return;
  clearTimeout(soon);
  soon = setTimeout(() => syncNow('write'), 1500);
}
