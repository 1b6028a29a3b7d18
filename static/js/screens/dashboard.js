// Coverage and open cases by level for my area: the reports endpoint when reachable, else local data.
import { t, lang } from '../i18n.js';
import { h, mount } from '../ui.js';
import { db } from '../db.js';
import { api } from '../api.js';
import { lastVisits, VISIT_INTERVAL_DAYS } from '../store.js';
import { currentUser } from '../session.js';

let chartLoading = null;
function loadChart() {
  if (window.Chart) return Promise.resolve(window.Chart);
  if (!chartLoading) {
    chartLoading = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/static/vendor/chart.umd.min.js';
      s.onload = () => resolve(window.Chart);
      s.onerror = reject;
      document.head.append(s);
    });
  }
  return chartLoading;
}

async function localCoverage() {
  const [places, households, last] = await Promise.all([db.place.toArray(), db.household.toArray(), lastVisits()]);
  const grids = new Map(places.filter(p => p.kind === 'grid').map(p => [p.id, { name: p.name_zh, total: 0, visited: 0 }]));
  const cutoff = Date.now() - VISIT_INTERVAL_DAYS * 86400000;
  for (const hh of households) {
    if (hh.active === false) continue;
    const g = grids.get(hh.grid_id);
    if (!g) continue;
    g.total += 1;
    const lv = last.get(hh.id) || hh.last_visit_at;
    if (lv && new Date(lv) >= cutoff) g.visited += 1;
  }
  const rows = [...grids.values()].filter(g => g.total).sort((a, b) => a.visited / a.total - b.visited / b.total).slice(0, 12);
  return { labels: rows.map(r => r.name), values: rows.map(r => Math.round(100 * r.visited / r.total)) };
}

// {columns, rows}: label = the first text column; value = a coverage/percent column, else the last number.
function fromReport(report) {
  const cols = report.columns.map(c => (typeof c === 'string' ? c : c.key || c.name));
  const rows = report.rows.map(r => (Array.isArray(r) ? Object.fromEntries(cols.map((c, i) => [c, r[i]])) : r));
  if (!rows.length) return null;
  const label = cols.find(c => c === 'place_name') || cols.find(c => typeof rows[0][c] === 'string') || cols[0];
  const value = cols.find(c => /coverage|rate|pct|percent/.test(c) && typeof rows[0][c] === 'number')
    || [...cols].reverse().find(c => typeof rows[0][c] === 'number');
  if (!value) return null;
  const scale = !/pct|percent/.test(value) && rows.every(r => (r[value] ?? 0) <= 1) ? 100 : 1;
  const sorted = rows.slice().sort((a, b) => (a[value] ?? 0) - (b[value] ?? 0)).slice(0, 12);
  return { labels: sorted.map(r => String(r[label])), values: sorted.map(r => Math.round((r[value] ?? 0) * scale)) };
}

async function casesByLevel() {
  const cases = await db.case.filter(c => c.status === 'open').toArray();
  const counts = new Map();
  for (const c of cases) {
    const lv = (c.ladder_levels || [])[(c.level || 1) - 1];
    const name = lv ? (lang() === 'en' ? lv.name_en : lv.name_zh) || lv.key : t('case.level_n', { n: c.level || 1 });
    const key = (c.level || 1) + '|' + name;
    const now = counts.get(key) || { level: c.level || 1, name, open: 0, overdue: 0 };
    now.open += 1;
    if (c.deadline_at && new Date(c.deadline_at) < new Date()) now.overdue += 1;
    counts.set(key, now);
  }
  return [...counts.values()].sort((a, b) => a.level - b.level);
}

export async function render(view) {
  const source = h('p', { class: 'hint', id: 'dashboard-source' });
  const coverageCanvas = h('canvas', { id: 'chart-coverage', role: 'img', 'aria-label': t('dashboard.coverage') });
  const levelCanvas = h('canvas', { id: 'chart-levels', role: 'img', 'aria-label': t('dashboard.by_level') });
  const levelTable = h('table', { class: 'data' });
  mount(view, h('h1', {}, t('dashboard.title')), source,
    h('h2', {}, t('dashboard.coverage', { days: VISIT_INTERVAL_DAYS })), h('div', { class: 'chart' }, coverageCanvas),
    h('h2', {}, t('dashboard.by_level')), h('div', { class: 'chart' }, levelCanvas), levelTable);

  let coverage = null;
  if (navigator.onLine) {
    const role = (currentUser().roles || [])[0];
    try {
      const from = new Date(Date.now() - VISIT_INTERVAL_DAYS * 86400000).toISOString().slice(0, 10);
      const report = await api(`/api/reports/coverage?from=${from}&lang=${lang()}` + (role ? `&place=${role.place_id}` : ''));
      coverage = fromReport(report);
    } catch (err) { coverage = null; }
  }
  source.textContent = coverage ? t('dashboard.from_server') : t('dashboard.from_phone');
  if (!coverage) coverage = await localCoverage();
  const levels = await casesByLevel();
  levelTable.append(h('thead', {}, h('tr', {}, h('th', {}, t('dashboard.level')), h('th', {}, t('dashboard.open')), h('th', {}, t('dashboard.overdue')))),
    h('tbody', {}, levels.map(l => h('tr', {}, h('td', {}, l.name), h('td', {}, String(l.open)), h('td', {}, String(l.overdue))))));

  const Chart = await loadChart();
  new Chart(coverageCanvas, {
    type: 'bar',
    data: { labels: coverage.labels, datasets: [{ label: t('dashboard.coverage_pct'), data: coverage.values, backgroundColor: '#1f6f5c' }] },
    options: { indexAxis: 'y', animation: false, maintainAspectRatio: false, scales: { x: { min: 0, max: 100 } }, plugins: { legend: { display: false } } },
  });
  new Chart(levelCanvas, {
    type: 'bar',
    data: { labels: levels.map(l => l.name), datasets: [
      { label: t('dashboard.open'), data: levels.map(l => l.open - l.overdue), backgroundColor: '#2b6cb0' },
      { label: t('dashboard.overdue'), data: levels.map(l => l.overdue), backgroundColor: '#c53030' }] },
    options: { animation: false, maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
  });
}
