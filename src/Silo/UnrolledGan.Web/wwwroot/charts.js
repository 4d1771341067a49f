// Line charts drawn as SVG: one line per K, each point the mean over seeds with a ± standard-error band. Every line
// carries its numbers in data attributes, so what is drawn can be checked against the table.
import { el } from './common.js';

const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const width = 368, height = 236;
const margin = { top: 12, right: 26, bottom: 34, left: 56 };

export function colorOf(unroll, unrolls) {
  return palette[Math.max(0, unrolls.indexOf(unroll)) % palette.length];
}

/** Round tick values (1, 2 or 5 × 10^k apart) spanning [low, high]. */
function ticks(low, high, count) {
  if (high <= low) return [low];
  const raw = (high - low) / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map(m => m * power).find(s => s >= raw);
  const values = [];
  for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step) values.push(+v.toPrecision(12));
  return values;
}

function label(value) {
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e5 || magnitude < 1e-3)) return value.toExponential(1);
  return +value.toPrecision(4) + '';
}

/**
 * chart: { key, title, kind, higherIsBetter, size, lines: [{ unroll, points: [{ step, mean, standardError, n }] }] }.
 * unrolls: every K of the sweep, so a K keeps its colour in every chart.
 */
export function lineChart(chart, unrolls, subtitle) {
  const points = chart.lines.flatMap(l => l.points);
  const xs = points.map(p => p.step);
  const lows = points.map(p => p.mean - (p.standardError ?? 0));
  const highs = points.map(p => p.mean + (p.standardError ?? 0));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...lows), Math.max(...highs)];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad; y1 += pad;
  const sx = x => margin.left + (x - x0) / (x1 - x0) * (width - margin.left - margin.right);
  const sy = y => height - margin.bottom - (y - y0) / (y1 - y0) * (height - margin.top - margin.bottom);

  const svg = el('svg', {
    class: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img',
    'data-key': chart.key, 'data-size': chart.size, 'aria-label': chart.title,
  });
  const axes = el('svg:g', { class: 'axes' });
  for (const y of ticks(y0, y1, 5)) {
    axes.append(
      el('svg:line', { class: 'grid', x1: margin.left, x2: width - margin.right, y1: sy(y), y2: sy(y) }),
      el('svg:text', { class: 'tick', x: margin.left - 6, y: sy(y) + 4, 'text-anchor': 'end' }, label(y)));
  }
  for (const x of ticks(x0, x1, 5)) {
    axes.append(
      el('svg:line', { class: 'tickmark', x1: sx(x), x2: sx(x), y1: height - margin.bottom, y2: height - margin.bottom + 4 }),
      el('svg:text', { class: 'tick', x: sx(x), y: height - margin.bottom + 16, 'text-anchor': 'middle' }, x.toLocaleString('en-US')));
  }
  axes.append(
    el('svg:line', { class: 'axis', x1: margin.left, x2: width - margin.right, y1: height - margin.bottom, y2: height - margin.bottom }),
    el('svg:line', { class: 'axis', x1: margin.left, x2: margin.left, y1: margin.top, y2: height - margin.bottom }),
    el('svg:text', { class: 'axis-label', x: (margin.left + width - margin.right) / 2, y: height - 4, 'text-anchor': 'middle' }, 'step'));
  svg.append(axes);

  for (const line of chart.lines) {
    const color = colorOf(line.unroll, unrolls);
    const withBand = line.points.filter(p => p.standardError !== null && p.standardError !== undefined);
    if (withBand.length > 0) {
      const upper = withBand.map(p => `${sx(p.step)},${sy(p.mean + p.standardError)}`);
      const lower = withBand.slice().reverse().map(p => `${sx(p.step)},${sy(p.mean - p.standardError)}`);
      svg.append(el('svg:polygon', { class: 'band', fill: color, points: [...upper, ...lower].join(' ') }));
    }
    svg.append(el('svg:polyline', {
      class: 'line', stroke: color, points: line.points.map(p => `${sx(p.step)},${sy(p.mean)}`).join(' '),
      'data-unroll': line.unroll,
      'data-steps': line.points.map(p => p.step).join(','),
      'data-means': line.points.map(p => p.mean).join(','),
      'data-errors': line.points.map(p => p.standardError ?? '').join(','),
      'data-n': line.points.map(p => p.n).join(','),
    }));
    // Markers only where they can be told apart; each tells its numbers on hover.
    if (line.points.length <= 40) {
      for (const p of line.points) {
        svg.append(el('svg:circle', { class: 'marker', fill: color, cx: sx(p.step), cy: sy(p.mean), r: 2.5 },
          el('svg:title', {}, `K = ${line.unroll}, step ${p.step.toLocaleString('en-US')}: ${label(p.mean)}` +
            (p.standardError !== null && p.standardError !== undefined ? ` ± ${label(p.standardError)}` : '') + ` (n = ${p.n})`)));
      }
    }
  }

  const direction = chart.higherIsBetter === true ? ' ↑' : chart.higherIsBetter === false ? ' ↓' : '';
  const legend = el('div', { class: 'legend' }, ...chart.lines.map(l =>
    el('span', { class: 'key' }, el('span', { class: 'swatch', style: `background:${colorOf(l.unroll, unrolls)}` }), `K = ${l.unroll}`)));
  return el('figure', { class: 'chart-box', 'data-key': chart.key, 'data-size': chart.size },
    el('figcaption', {}, el('strong', {}, chart.title + direction), subtitle ? el('span', { class: 'subtitle' }, subtitle) : null),
    svg, legend);
}
