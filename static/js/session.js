// Who is logged in on this phone. The token and profile live in IndexedDB so the app opens offline.
import { api } from './api.js';
import { db, getMeta, setMeta } from './db.js';
import { uuid } from './ui.js';

const SUPERVISOR_ROLES = ['grid_head', 'village_cadre', 'liaison_cadre', 'township_staff', 'county_staff', 'county_leader', 'admin'];
let user = null;

export function currentUser() { return user; }
export function roles() { return (user && user.roles) || []; }
export function hasRole(...names) { return roles().some(r => names.includes(r.role)); }
export function isPromoter() { return hasRole('promoter'); }
export function isSupervisor() { return hasRole(...SUPERVISOR_ROLES); }
export function roleNames() { return new Set(roles().map(r => r.role)); }

export async function restore() {
  const token = await getMeta('token');
  user = token ? await getMeta('user') : null;
  return user;
}

export async function login(username, password) {
  const previous = await getMeta('user');
  const unsent = await db.outbox.count();
  if (previous && previous.username !== username && unsent > 0) {
    // The outbox belongs to the previous user's client id; pushing it as someone else is refused.
    const err = new Error('outbox_of_other_user');
    err.code = 'outbox_of_other_user';
    throw err;
  }
  const body = await api('/api/auth/login', {
    method: 'POST', token: null,
    body: { username, password, device_name: deviceName() },
  });
  if (previous && previous.username !== username) await wipe();
  await db.transaction('rw', db.meta, async () => {
    if (!(await getMeta('client_id'))) await setMeta('client_id', uuid());
    await setMeta('token', body.token);
    await setMeta('user', body.user);
  });
  user = body.user;
  askPersistence();
  return user;
}

export async function logout() {
  try { await api('/api/auth/logout', { method: 'POST' }); } catch (e) { /* offline or gone: local log-out still happens */ }
  await wipe();
  user = null;
  if (navigator.serviceWorker && navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage({ type: 'CLEAR_API_CACHE' });
  }
}

export async function forgetToken() {
  await db.meta.delete('token');
}

async function wipe() {
  await db.transaction('rw', db.tables, async () => {
    await Promise.all(db.tables.map(table => table.clear()));
  });
}

async function askPersistence() {
  // Without this a browser may evict the outbox under storage pressure (Safari after 7 days).
  try {
    if (navigator.storage && navigator.storage.persist) {
      const granted = await navigator.storage.persist();
      await setMeta('persisted', granted);
    }
  } catch (e) { /* not supported */ }
}

function deviceName() {
  const ua = navigator.userAgent;
  const m = ua.match(/\(([^)]+)\)/);
  return ('PWA ' + (m ? m[1] : ua)).slice(0, 80);
}
