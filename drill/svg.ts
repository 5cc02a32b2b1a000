import { PHASES } from './report.ts';
import { MARKS, type RunResult } from './run.ts';

const W = 960;
const LEFT = 150;
const RIGHT = 20;
const COLORS = ['#8e44ad', '#2980b9', '#16a085', '#d35400', '#c0392b', '#7f8c8d', '#27ae60'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A hand-written SVG timeline of one run: the client's attempts (who answered, or a failure) and each phase as a band. */
export function timelineSvg(r: RunResult, title: string): string {
  const served = r.marks.served ?? 0;
  const t0 = -Math.max(300, served * 0.08);
  const t1 = served + Math.max(400, served * 0.12);
  const x = (ms: number) => LEFT + ((ms - t0) / (t1 - t0)) * (W - LEFT - RIGHT);
  const rowY = { client: 60, phases: 120 };
  const out: string[] = [];
  out.push(`<text x="10" y="24" font-size="15" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="10" y="${rowY.client + 14}" font-size="12">client → VIP</text>`);
  for (const a of r.attempts) {
    const at = a.t0 - r.killAt;
    if (at < t0 || at > t1) continue;
    const fill = !a.ok ? '#e74c3c' : a.member === 'iris-a' ? '#3498db' : '#2ecc71';
    out.push(`<rect x="${x(at).toFixed(1)}" y="${rowY.client}" width="2" height="20" fill="${fill}"/>`);
  }
  out.push(...phaseBands(r, x, rowY.phases));
  out.push(...axis(t0, t1, x, rowY.phases + PHASES.length * 22 + 16));
  out.push(
    `<line x1="${x(0)}" y1="40" x2="${x(0)}" y2="${rowY.phases + PHASES.length * 22}" stroke="#000" stroke-dasharray="4 3"/>`,
  );
  out.push(`<text x="${x(0) + 4}" y="48" font-size="11">primary killed</text>`);
  out.push(...legend(rowY.client + 30, r));
  const h = rowY.phases + PHASES.length * 22 + 50;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" font-family="sans-serif">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${h}" fill="#fff"/>`,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}

function phaseBands(r: RunResult, x: (ms: number) => number, top: number): string[] {
  const out: string[] = [];
  PHASES.forEach((p, i) => {
    const y = top + i * 22;
    const start = i === 0 ? 0 : r.marks[MARKS[i - 1] ?? 'detected'];
    const end = r.marks[p.end];
    out.push(`<text x="10" y="${y + 13}" font-size="12">${esc(p.name)}</text>`);
    if (start === undefined || end === undefined) return;
    const [a, b] = [x(Math.min(start, end)), x(Math.max(start, end))];
    const color = COLORS[i % COLORS.length];
    out.push(
      `<rect x="${a.toFixed(1)}" y="${y}" width="${Math.max(1, b - a).toFixed(1)}" height="16" fill="${color}" opacity="0.8"/>`,
    );
    out.push(`<text x="${(b + 4).toFixed(1)}" y="${y + 12}" font-size="11">${Math.round(end - start)} ms</text>`);
  });
  return out;
}

function axis(t0: number, t1: number, x: (ms: number) => number, y: number): string[] {
  const span = t1 - t0;
  const step = [100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 30_000].find((s) => span / s <= 12) ?? 60_000;
  const out = [`<line x1="${LEFT}" y1="${y}" x2="${W - RIGHT}" y2="${y}" stroke="#555"/>`];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    out.push(`<line x1="${x(t)}" y1="${y}" x2="${x(t)}" y2="${y + 4}" stroke="#555"/>`);
    out.push(
      `<text x="${x(t)}" y="${y + 16}" font-size="10" text-anchor="middle">${(t / 1000).toFixed(step < 1000 ? 1 : 0)} s</text>`,
    );
  }
  return out;
}

function legend(y: number, r: RunResult): string[] {
  const items: [string, string][] = [
    ['#3498db', 'answered by iris-a (old primary)'],
    ['#2ecc71', 'answered by iris-b (new primary)'],
    ['#e74c3c', 'no answer'],
  ];
  const out = items.map(
    ([c, label], i) =>
      `<rect x="${LEFT + i * 240}" y="${y}" width="10" height="10" fill="${c}"/><text x="${LEFT + i * 240 + 14}" y="${y + 9}" font-size="11">${label}</text>`,
  );
  out.push(
    `<text x="${W - RIGHT}" y="${y + 9}" font-size="11" text-anchor="end">outage seen by the client: ${Math.round(r.outageMs)} ms</text>`,
  );
  return out;
}
