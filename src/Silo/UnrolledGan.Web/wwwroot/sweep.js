// One sweep's page. The silo pushes the sweep's view whenever it changes (server-sent events, polled twice a second
// on the silo); the table is fetched again when a job finishes, the curves at most every few seconds while jobs run.
import { base, el, getJson, loggedOut, steps, duration, time, phaseBadge, progressBar } from './common.js';
import { colorOf, lineChart } from './charts.js';

const name = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop());
const api = `${base}/api/sweeps/${encodeURIComponent(name)}`;
const files = `${base}/files/${encodeURIComponent(name)}`;
const curvesPeriod = 3000;

// Read by the browser test: the page is updated in place, never reloaded.
window.sweepPage = { loadedAt: Date.now(), updates: 0 };

const $ = (id) => document.getElementById(id);
let current = null;
let resultsKey = null;
let curves = { key: null, fetchedAt: 0, busy: false };
let events = null;

function show(message) {
  $('message').hidden = !message;
  $('message').textContent = message ?? '';
}

function sizeLabel(view, size) {
  const sizes = new Set(view.rows.map(r => r.size));
  return sizes.size > 1 || size !== 1 ? `X = ${size}` : '';
}

function renderSummary(view) {
  document.title = `${view.name} · UnrolledGan`;
  $('crumb').textContent = `/ ${view.name}`;
  $('name').textContent = view.name;
  $('phase').replaceChildren(phaseBadge(view.phase));
  $('cancel').hidden = view.phase !== 'running';
  const fact = (term, ...value) => [el('div', { class: 'fact' }, el('dt', {}, term), el('dd', {}, ...value))];
  $('facts').replaceChildren(
    ...fact('Experiment', view.experiment),
    ...fact('Done', progressBar(view.done, view.failed, view.total), el('span', { id: 'done' }, ` ${view.done}/${view.total}`)),
    ...fact('Running', el('span', { id: 'running' }, view.running)),
    ...fact('Queued', el('span', { id: 'queued' }, view.queued)),
    ...fact('Failed', el('span', { id: 'failed', class: view.failed > 0 ? 'bad' : '' }, view.failed)),
    ...(view.cancelled > 0 ? fact('Cancelled', view.cancelled) : []),
    ...fact('Started', time(view.createdAt)),
    ...(view.endedAt ? fact('Ended', time(view.endedAt)) : fact('ETA', el('span', { id: 'eta' }, duration(view.etaSeconds)))));
}

function cell(job) {
  if (!job) return el('td', { class: 'cell empty' });
  const percent = job.step !== null ? Math.min(100, 100 * job.step / job.totalSteps) : 0;
  const details = [];
  if (job.state === 'running') {
    details.push(el('div', { class: 'step' }, job.step === null ? 'starting' : `${steps(job.step)} / ${steps(job.totalSteps)}`));
    details.push(el('div', { class: 'minibar' }, el('span', { style: `width:${percent.toFixed(1)}%` })));
    if (job.stepsPerSecond !== null) details.push(el('div', { class: 'rate' }, `${job.stepsPerSecond.toFixed(1)} steps/s · ETA ${duration(job.etaSeconds)}`));
  } else if (job.state === 'succeeded') {
    details.push(el('div', { class: 'step' }, `${steps(job.step)} steps`));
  }
  if (job.failedAttempts > 0) details.push(el('div', { class: 'retries' }, `${job.failedAttempts} failed run${job.failedAttempts === 1 ? '' : 's'}`));
  return el('td', {
    class: `cell state-${job.state}`, 'data-job': job.jobId, 'data-state': job.state, 'data-unroll': job.unroll,
    'data-step': job.step ?? '', title: `${job.jobId}${job.silo ? ` on ${job.silo}` : ''}, ${job.starts} run${job.starts === 1 ? '' : 's'}`,
  }, el('div', { class: 'state' }, job.state), ...details);
}

function renderGrid(view) {
  $('grid').tHead.replaceChildren(el('tr', {}, el('th', {}, ''), ...view.unrolls.map(k => el('th', { 'data-unroll': k, style: `border-bottom:3px solid ${colorOf(k, view.unrolls)}` }, `K = ${k}`))));
  $('grid').tBodies[0].replaceChildren(...view.rows.map(row => el('tr', { 'data-size': row.size, 'data-seed': row.seed },
    el('th', { class: 'row-head' }, [sizeLabel(view, row.size), `seed ${row.seed}`].filter(Boolean).join(' · ')),
    ...row.cells.map(cell))));
}

function renderTroubles(view) {
  $('no-troubles').hidden = view.troubles.length > 0;
  $('troubles').hidden = view.troubles.length === 0;
  $('troubles').tBodies[0].replaceChildren(...view.troubles.map(t => el('tr', { 'data-job': t.jobId },
    el('td', {}, el('code', {}, t.jobId)), el('td', {}, t.unroll), el('td', {}, t.size), el('td', {}, t.seed),
    el('td', {}, el('span', { class: `badge state-${t.state}` }, t.state)),
    el('td', { class: 'num' }, t.starts), el('td', { class: 'num' }, t.failedAttempts),
    el('td', { class: 'reason' }, t.reason ?? (t.failedAttempts === 0 ? 'resumed after its run was lost or interrupted' : '')))));
}

// A job's density picture is redrawn at each snapshot: reload it only then.
const densityFigures = new Map();
function renderDensities(view) {
  // In the order of the sweep's densities.png: K, then size, then seed.
  const jobs = view.rows.flatMap(row => row.cells.filter(c => c && c.snapshots > 0).map(c => ({ row, job: c })))
    .sort((a, b) => a.job.unroll - b.job.unroll || a.row.size - b.row.size || a.row.seed - b.row.seed);
  if (jobs.length === 0) return;
  const figures = jobs.map(({ row, job }) => {
    let figure = densityFigures.get(job.jobId);
    const src = `${files}/jobs/${encodeURIComponent(job.jobId)}/density.png?v=${job.snapshots}-${job.state}`;
    if (!figure) {
      figure = el('figure', { class: 'density', 'data-job': job.jobId },
        el('img', { src, alt: `density of ${job.jobId}`, loading: 'lazy' }),
        el('figcaption', {}, [`K = ${job.unroll}`, sizeLabel(view, row.size), `seed ${row.seed}`].filter(Boolean).join(', ')));
      densityFigures.set(job.jobId, figure);
    } else if (!figure.querySelector('img').src.endsWith(src)) {
      figure.querySelector('img').src = src;
    }
    return figure;
  });
  $('densities').replaceChildren(...figures);
}

function renderResults(results) {
  const table = results.table;
  $('table-caption').textContent = table.caption;
  $('results').tHead.replaceChildren(el('tr', {}, ...table.header.map(h => el('th', {}, h))));
  $('results').tBodies[0].replaceChildren(...table.rows.map(row => el('tr', { class: row[1].text.startsWith('p vs') ? 'p-row' : '' },
    ...row.map(c => el('td', {}, c.bold ? el('strong', {}, c.text) : c.text)))));
  $('table-footer').textContent = table.footer;
  const links = results.files.filter(f => /\.(csv|tex|json|md)$/.test(f.name));
  $('table-files').replaceChildren(...(links.length ? ['Files: '] : []), ...links.flatMap((f, i) => [i > 0 ? ' · ' : '', el('a', { href: f.url, download: f.name }, f.name)]));
  const pictures = results.files.filter(f => f.name.endsWith('.png'));
  const titles = { 'densities.png': 'Densities of every finished job (Fig. 2)', 'distances.png': 'Pairwise distances of samples (Fig. 6)' };
  $('figures').replaceChildren(...pictures.map(f => el('figure', { class: 'wide', 'data-file': f.name },
    el('a', { href: f.url }, el('img', { src: `${f.url}?v=${encodeURIComponent(resultsKey)}`, alt: f.name })),
    el('figcaption', {}, titles[f.name] ?? f.name))));
}

async function refreshResults(view) {
  const key = `${view.done}|${view.phase}`;
  if (key === resultsKey) return;
  resultsKey = key;
  try {
    renderResults(await getJson(`${api}/results`));
  } catch (error) {
    resultsKey = null;
    show(`Cannot read the table: ${error.message}`);
  }
}

async function refreshCurves(view, force) {
  const key = `${view.phase}|${view.done}|${view.rows.flatMap(r => r.cells).map(c => c?.step ?? '').join(',')}`;
  if (curves.busy || key === curves.key || (!force && Date.now() - curves.fetchedAt < curvesPeriod)) return;
  curves = { key, fetchedAt: Date.now(), busy: true };
  try {
    const { charts, notices } = await getJson(`${api}/curves`);
    const boxes = charts.map(c => lineChart(c, view.unrolls, sizeLabel(view, c.size)));
    $('curves').replaceChildren(...(boxes.length ? boxes : [el('p', { class: 'hint' }, 'No snapshots yet.')]));
    // Files too long to read whole on every refresh are read to their end only; say so rather than draw less silently.
    $('curves-notice').hidden = notices.length === 0;
    $('curves-notice').replaceChildren(...notices.map(n => el('li', {}, n)));
  } catch (error) {
    curves.key = null;
    show(`Cannot read the curves: ${error.message}`);
  } finally {
    curves.busy = false;
  }
}

function render(view) {
  const phaseChanged = current?.phase !== view.phase;
  current = view;
  window.sweepPage.updates++;
  renderSummary(view);
  renderGrid(view);
  renderTroubles(view);
  renderDensities(view);
  refreshResults(view);
  refreshCurves(view, phaseChanged);
  if (view.phase !== 'running' && events) {
    events.close();
    events = null;
    $('live').textContent = `${view.phase}`;
    $('live').className = 'live ended';
  }
}

// Curves of running jobs move between pushes of the view only when steps change; a slow timer catches the rest.
setInterval(() => current && current.phase === 'running' && refreshCurves(current, false), curvesPeriod);

$('cancel').addEventListener('click', async () => {
  if (!confirm(`Cancel sweep ${name}? Queued jobs are dropped and running ones killed; submitting it again resumes them.`)) return;
  try {
    const response = await fetch(`${api}/cancel`, { method: 'POST', headers: { 'X-Requested-By': 'sweep-page' } });
    if (response.status === 401) throw new Error(loggedOut);
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    render(await response.json());
  } catch (error) {
    show(`Cancel failed: ${error.message}`);
  }
});

async function start() {
  try {
    render(await getJson(api));
  } catch (error) {
    show(error.message);
    $('live').textContent = 'not found';
    return;
  }
  if (current.phase !== 'running') return;
  events = new EventSource(`${api}/events`);
  events.addEventListener('status', (event) => { show(null); render(JSON.parse(event.data)); });
  events.onopen = () => { $('live').textContent = 'live'; $('live').className = 'live on'; };
  events.onerror = () => { if (events) { $('live').textContent = 'reconnecting…'; $('live').className = 'live off'; } };
}

start();
