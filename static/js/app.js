// Start-up: language, session from IndexedDB, routes, sync triggers, the header and the tab bar.
import { loadLanguage, t, lang } from './i18n.js';
import { restore, currentUser, isPromoter, isSupervisor } from './session.js';
import { route, start, go, resolve } from './router.js';
import { state, onSyncState, syncNow, refreshCounts, startTriggers } from './sync.js';
import { db } from './db.js';
import { h, clear, toast, fmtDateTime } from './ui.js';
import { initUpdates } from './update.js';
import * as login from './screens/login.js';
import * as households from './screens/households.js';
import * as household from './screens/household.js';
import * as visit from './screens/visit.js';
import * as caseForm from './screens/case-form.js';
import * as cases from './screens/cases.js';
import * as caseView from './screens/case.js';
import * as syncScreen from './screens/sync.js';
import * as conflicts from './screens/conflicts.js';
import * as alerts from './screens/alerts.js';
import * as dashboard from './screens/dashboard.js';
import * as card from './screens/card.js';
import * as me from './screens/me.js';

import { setRefresh, runRefresh } from './live.js';

function routes() {
  route('/login', login.render);
  route('/', home);
  route('/households', households.render);
  route('/household/:id', household.render);
  route('/household/:id/edit', household.renderEdit);
  route('/household/:id/visit', visit.render);
  route('/case/new', caseForm.render);
  route('/cases', cases.render);
  route('/case/:id', caseView.render);
  route('/sync', syncScreen.render);
  route('/conflicts', conflicts.render);
  route('/alerts', alerts.render);
  route('/dashboard', dashboard.render);
  route('/card', card.render);
  route('/me', me.render);
}

function home(view) {
  go(isPromoter() ? '/households' : (isSupervisor() ? '/cases' : '/me'));
}

async function render() {
  setRefresh(null);
  const view = document.getElementById('view');
  const match = resolve();
  if (!currentUser() && (!match || match.path !== '/login')) return go('/login');
  if (!match) return go('/');
  renderChrome(match.path);
  clear(view);
  try {
    await match.handler(view, match.params, match.query);
  } catch (err) {
    console.error(err);
    view.append(h('p', { class: 'error', role: 'alert' }, t('common.error') + ': ' + (err.message || err)));
  }
  const heading = view.querySelector('h1');
  if (heading) { heading.tabIndex = -1; heading.focus({ preventScroll: true }); }
  window.scrollTo(0, 0);
}

function tabs() {
  const list = [];
  if (isPromoter()) list.push(['/households', 'nav.households', '⌂']);
  if (isSupervisor()) list.push(['/alerts', 'nav.alerts', '!']);
  list.push(['/cases', 'nav.cases', '☰']);
  if (isSupervisor()) list.push(['/dashboard', 'nav.dashboard', '▦']);
  list.push(['/sync', 'nav.sync', '⇅']);
  list.push(['/me', 'nav.me', '☺']);
  return list;
}

async function renderChrome(path) {
  const nav = clear(document.getElementById('tabs'));
  const header = document.getElementById('header-status');
  if (!currentUser() || path === '/login') { nav.hidden = true; header.hidden = true; return; }
  nav.hidden = false; header.hidden = false;
  for (const [href, key, icon] of tabs()) {
    const active = path === href || path.startsWith(href.replace(/s$/, '') + '/');
    const badge = h('span', { class: 'tab-badge', 'data-badge': href, hidden: true });
    nav.append(h('a', { href: '#' + href, class: active ? 'tab active' : 'tab', 'aria-current': active ? 'page' : null },
      h('span', { class: 'tab-icon', 'aria-hidden': 'true' }, icon), h('span', {}, t(key)), badge));
  }
  updateBadges();
}

async function updateBadges() {
  const unread = currentUser() ? await db.alert.filter(a => !a.read_at).count() : 0;
  setBadge('/alerts', unread);
  setBadge('/sync', state.unsent + state.problems);
}

function setBadge(href, n) {
  const el = document.querySelector(`[data-badge="${href}"]`);
  if (!el) return;
  el.hidden = !n;
  el.textContent = n > 99 ? '99+' : String(n);
}

// Today: the time only, so the chip stays short on a 360px screen.
function shortTime(iso) {
  const d = new Date(iso);
  if (d.toDateString() !== new Date().toDateString()) return fmtDateTime(iso);
  return d.toLocaleTimeString(lang(), { hour: '2-digit', minute: '2-digit' });
}

function renderStatus(s) {
  const chip = document.getElementById('sync-chip');
  const online = navigator.onLine;
  let text;
  if (s.running) text = t('sync.running', { sent: s.sent, received: s.received });
  else if (!online) text = t('sync.offline_unsent', { n: s.unsent });
  else if (s.unsent) text = t('sync.unsent', { n: s.unsent });
  else text = s.lastSyncAt ? t('sync.synced_at', { at: shortTime(s.lastSyncAt) }) : t('sync.never');
  chip.textContent = text;
  chip.className = 'chip ' + (!online ? 'offline' : s.error ? 'warn' : s.unsent ? 'pending' : 'ok');
  updateBadges();
}

function banners() {
  window.addEventListener('harmony:quota', () => {
    showBanner(t('storage.quota'));
  });
  window.addEventListener('harmony:unauthorized', () => {
    showBanner(t('auth.expired'), '#/login?again=1');
  });
  const net = () => { document.body.classList.toggle('is-offline', !navigator.onLine); renderStatus(state); };
  window.addEventListener('online', net);
  window.addEventListener('offline', net);
  net();
}

function showBanner(text, href) {
  const box = clear(document.getElementById('banner'));
  box.hidden = false;
  box.append(href ? h('a', { href }, text) : text,
    h('button', { type: 'button', class: 'link', 'aria-label': t('common.close'), onclick: () => { box.hidden = true; } }, '×'));
}

async function main() {
  await loadLanguage();
  document.getElementById('lang').textContent = lang() === 'en' ? '中文' : 'EN';
  document.getElementById('lang').addEventListener('click', async () => {
    await loadLanguage(lang() === 'en' ? 'zh-CN' : 'en');
    document.getElementById('lang').textContent = lang() === 'en' ? '中文' : 'EN';
    document.getElementById('app-title').textContent = t('app.title');
    render();
  });
  document.getElementById('app-title').textContent = t('app.title');
  document.getElementById('sync-chip').addEventListener('click', () => go('/sync'));
  initUpdates();
  banners();
  onSyncState(renderStatus);
  window.addEventListener('harmony:data', () => { updateBadges(); runRefresh(); });
  window.addEventListener('harmony:login', afterLogin);
  await restore();
  routes();
  start(render);
  if (currentUser()) afterLogin();
}

function afterLogin() {
  startTriggers();
  refreshCounts();
  syncNow('open').then(result => {
    if (result && result.error && result.error.status === 401) toast(t('auth.expired'), 'error');
  });
}

main();
