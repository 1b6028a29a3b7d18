import { t } from '../i18n.js';
import { h, field, mount } from '../ui.js';
import { login } from '../session.js';
import { getMeta } from '../db.js';
import { go } from '../router.js';

export async function render(view, params, query) {
  const previous = await getMeta('user');
  const username = h('input', { name: 'username', autocomplete: 'username', autocapitalize: 'none', required: true,
    value: previous ? previous.username : '' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'error', role: 'alert', 'aria-live': 'assertive' });
  const button = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
  const form = h('form', { class: 'card', novalidate: true }, field(t('login.username'), username), field(t('login.password'), password), error, button);
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    error.textContent = '';
    if (!username.value.trim() || !password.value) { error.textContent = t('login.missing'); return; }
    button.disabled = true;
    try {
      await login(username.value.trim(), password.value);
      window.dispatchEvent(new CustomEvent('harmony:login'));
      go('/');
    } catch (err) {
      error.textContent = err.code === 'offline' ? t('login.offline')
        : err.code === 'outbox_of_other_user' ? t('login.other_user_outbox')
          : (err.status === 401 || err.status === 400 || err.status === 422) ? t('login.bad') : (err.message || t('common.error'));
    } finally {
      button.disabled = false;
    }
  });
  mount(view, 
    h('h1', {}, t('login.title')),
    query.get('again') ? h('p', { class: 'notice' }, t('auth.expired')) : null,
    form,
    h('p', { class: 'hint' }, t('login.offline_note')),
  );
}
