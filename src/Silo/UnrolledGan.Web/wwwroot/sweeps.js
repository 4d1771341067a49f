// The list of sweeps: every sweep with its state, done/total, failures, start time and ETA, refreshed every 2 s.
import { base, el, getJson, duration, time, phaseBadge, progressBar } from './common.js';

const body = document.querySelector('#sweeps tbody');
const message = document.getElementById('message');

function row(sweep) {
  const url = `${base}/${encodeURIComponent(sweep.name)}`;
  return el('tr', { 'data-sweep': sweep.name },
    el('td', {}, el('a', { href: url }, sweep.name)),
    el('td', {}, sweep.experiment),
    el('td', {}, phaseBadge(sweep.phase)),
    el('td', { class: 'done' }, progressBar(sweep.done, sweep.failed, sweep.total), ` ${sweep.done}/${sweep.total}`),
    el('td', { class: 'num failed' }, sweep.failed),
    el('td', {}, time(sweep.createdAt)),
    el('td', {}, sweep.phase === 'running' ? duration(sweep.etaSeconds) : ''));
}

async function refresh() {
  try {
    const sweeps = await getJson(`${base}/api/sweeps`);
    body.replaceChildren(...sweeps.map(row));
    message.hidden = sweeps.length > 0;
    message.textContent = 'No sweeps yet: submit one with `UnrolledGan.SweepClient submit` or `run --gateway`.';
  } catch (error) {
    message.hidden = false;
    message.textContent = `Cannot reach the silo: ${error.message}`;
  }
}

refresh();
setInterval(refresh, 2000);
