// Helpers shared by the list of sweeps and a sweep's page. Everything from the server is set as text, never as HTML:
// failure reasons carry a trainer's stderr.

export const base = '/sweeps';

/** Creates an element with attributes and children (strings become text nodes). */
export function el(tag, attributes = {}, ...children) {
  const node = tag === 'svg' || tag.startsWith('svg:')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.replace('svg:', ''))
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') node.setAttribute('class', value);
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Said when the session cookie is gone: the silo restarted (its sessions end with it) or the session expired. */
export const loggedOut = 'Not logged in (the silo restarted, or the session ended): `UnrolledGan.SweepClient open <sweep>` prints a new login link.';

export async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  if (response.status === 401) throw new Error(loggedOut);
  if (!response.ok) {
    let detail = `${response.status} ${response.statusText}`;
    try { detail = (await response.json()).detail ?? detail; } catch { /* not JSON */ }
    throw new Error(detail);
  }
  return response.json();
}

export function steps(n) {
  return n === null || n === undefined ? '' : n.toLocaleString('en-US');
}

/** Seconds as the console view prints them: 45 s, 3 min 20 s, 1 h 02 min. */
export function duration(seconds) {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

export function time(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return date.toLocaleString('en-GB', { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function phaseBadge(phase) {
  return el('span', { class: `badge phase-${phase}` }, phase);
}

/** A done/total bar with the failed share in red. */
export function progressBar(done, failed, total) {
  const percent = (n) => total > 0 ? `${(100 * n / total).toFixed(1)}%` : '0%';
  return el('span', { class: 'bar', title: `${done}/${total} done, ${failed} failed` },
    el('span', { class: 'bar-done', style: `width:${percent(done - failed)}` }),
    el('span', { class: 'bar-failed', style: `width:${percent(failed)}` }));
}
