// Service worker registration and the "update ready" prompt: a new version waits until the user taps.
import { t } from './i18n.js';

export function initUpdates() {
  if (!('serviceWorker' in navigator)) return;
  let reloading = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // Only after the user asked (SKIP_WAITING): reload once so every file comes from the new cache.
    if (reloading || !window.__harmonyUpdateAccepted) return;
    reloading = true;
    location.reload();
  });
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).then(reg => {
    const offer = () => { if (reg.waiting && navigator.serviceWorker.controller) showPrompt(reg.waiting); };
    offer();
    reg.addEventListener('updatefound', () => {
      const worker = reg.installing;
      worker && worker.addEventListener('statechange', () => { if (worker.state === 'installed') offer(); });
    });
    const check = () => { if (navigator.onLine) reg.update().catch(() => {}); };
    window.addEventListener('online', check);
    setInterval(check, 30 * 60 * 1000);
  }).catch(err => console.warn('service worker not registered', err));
}

function showPrompt(worker) {
  const bar = document.getElementById('update');
  bar.hidden = false;
  const button = bar.querySelector('button');
  bar.querySelector('span').textContent = t('update.ready');
  button.textContent = t('update.reload');
  button.onclick = () => {
    window.__harmonyUpdateAccepted = true;
    button.disabled = true;
    worker.postMessage({ type: 'SKIP_WAITING' });
  };
}
