// The user: roles, language, contact card, households (supervisors), log out.
import { t, lang } from '../i18n.js';
import { h, toast, mount } from '../ui.js';
import { currentUser, logout, isPromoter } from '../session.js';
import { db } from '../db.js';
import { go } from '../router.js';

export async function render(view) {
  const user = currentUser();
  const out = h('button', { type: 'button', class: 'danger' }, t('me.logout'));
  out.addEventListener('click', async () => {
    const unsent = await db.outbox.count();
    if (unsent && !confirm(t('me.logout_unsent', { n: unsent }))) return;
    await logout();
    toast(t('me.logged_out'));
    go('/login');
  });
  mount(view, 
    h('h1', {}, user.display_name),
    h('dl', { class: 'facts' },
      h('dt', {}, t('me.username')), h('dd', {}, user.username),
      h('dt', {}, t('me.roles')), h('dd', {}, (user.roles || []).map(r => t('role.' + r.role) + ' · ' + r.place_name).join('；'))),
    h('div', { class: 'actions-list' },
      h('a', { class: 'button', href: '#/card' }, t('card.title')),
      !isPromoter() ? h('a', { class: 'button', href: '#/households' }, t('households.title')) : null,
      h('a', { class: 'button', href: '#/dashboard' }, t('dashboard.title')),
      h('a', { class: 'button', href: '/api/docs' }, t('me.api_docs')),
      out),
    h('p', { class: 'hint' }, t('me.lang_hint', { lang: lang() })));
}
