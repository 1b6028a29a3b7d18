// The printable contact card 连心卡: name, phone, grid and a QR code households can scan to call.
import { t } from '../i18n.js';
import { h, backLink, mount } from '../ui.js';
import { currentUser } from '../session.js';
import qrcode from '../../vendor/qrcode.mjs';

export function qrDataUrl(text) {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  return qr.createDataURL(6, 8);
}

export async function render(view) {
  const user = currentUser();
  const place = (user.roles || []).find(r => r.role === 'promoter') || (user.roles || [])[0] || {};
  const phone = user.phone || '';
  // A phone number becomes a tel: link (scan to call); otherwise the card number identifies the promoter.
  const payload = phone ? 'tel:' + phone.replace(/[^0-9+]/g, '') : 'HARMONY-CARD:' + (user.contact_card_no || user.username);
  const print = h('button', { type: 'button', class: 'primary no-print' }, t('card.print'));
  print.addEventListener('click', () => window.print());
  mount(view, 
    h('div', { class: 'no-print' }, backLink('#/me')),
    h('h1', { class: 'no-print' }, t('card.title')),
    h('section', { class: 'contact-card', 'aria-label': t('card.title') },
      h('p', { class: 'card-org' }, t('card.org')),
      h('p', { class: 'card-name' }, user.display_name),
      h('p', { class: 'card-role' }, t('role.promoter') + ' · ' + (place.place_name || '')),
      h('p', { class: 'card-phone' }, phone ? t('card.phone') + ' ' + phone : ''),
      user.contact_card_no ? h('p', { class: 'card-no' }, t('card.number') + ' ' + user.contact_card_no) : null,
      h('img', { class: 'card-qr', src: qrDataUrl(payload), alt: t('card.qr_alt', { value: phone || user.contact_card_no || '' }), width: 160, height: 160 }),
      h('p', { class: 'card-note' }, t('card.note'))),
    print);
}
