/**
 * Charts drawn on the server as SVG text: vertical bars (a count per day), horizontal bars
 * (a count per category), a sparkline, and a letter avatar. Pure: data in, markup out, every
 * text escaped. Each chart is an accessible image (role="img", a <title> and a <desc> that says
 * what the numbers are), so it reads without a client library, and without CSS: shapes use
 * `currentColor` unless a colour is given, which follows the page's light or dark text colour.
 *
 * @example
 * barChart({ title: 'Papers per day', points: [{ label: '2025-05-05', value: 12 }] })
 * // '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 220" role="img" ...'
 */

export interface ChartPoint {
  label: string;
  value: number;
}

/**
 * Escapes text for XML content and attribute values (SVG, feeds), and drops what XML 1.0 does not
 * allow at all (control characters, U+FFFE/U+FFFF, lone surrogates): an imported title may carry
 * them, and one would make the whole document unreadable.
 */
export function escapeXml(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const fmt = (n: number) => n.toLocaleString('en-US');
/** The charts' text size, in SVG units. */
const FONT_SIZE = 12;
/** Coordinates with at most two decimals: exact enough on screen, short in the markup. */
const r2 = (n: number) => String(Math.round(n * 100) / 100);

/**
 * About how wide `text` is drawn at `fontSize`, in the same units: enough room for it in the faces
 * `system-ui` falls back to (DejaVu Sans, the widest common one, draws digits 0.64 em wide), so a
 * label placed with it stays inside the picture whatever its length. Wide letters (capitals, m, w)
 * count 0.9 em, narrow ones (punctuation, i, l, j, t, f, r) 0.4 em, … 1 em, any other 0.66 em.
 */
export function textWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) em += ch === '…' ? 1 : /[A-Zmw@%]/.test(ch) ? 0.9 : /[.,:;'|!ijlftr() -]/.test(ch) ? 0.4 : 0.66;
  return em * fontSize;
}

/** `text`, or as much of it as fits in `room` followed by …. */
function fitText(text: string, room: number, fontSize: number): string {
  if (textWidth(text, fontSize) <= room) return text;
  const chars = Array.from(text);
  while (chars.length && textWidth(`${chars.join('')}…`, fontSize) > room) chars.pop();
  return `${chars.join('')}…`;
}

/** The smallest 1, 2 or 5 times a power of ten at or above `max` (at least 1): the top of an axis. */
export function niceCeiling(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** An id for a chart's title and description, from its title: distinct charts on a page get distinct ids. */
function idOf(prefix: string, title: string): string {
  let h = 0;
  for (const ch of title) h = (h * 31 + ch.codePointAt(0)!) >>> 0;
  return `${prefix}${h.toString(36)}`;
}

function open(width: number, height: number, title: string, desc: string, idPrefix: string): { head: string; close: string } {
  const t = idOf(`${idPrefix}t`, title);
  const d = idOf(`${idPrefix}d`, title);
  return {
    head: `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="${t} ${d}" font-family="system-ui, sans-serif" font-size="${FONT_SIZE}">`
      + `<title id="${t}">${escapeXml(title)}</title><desc id="${d}">${escapeXml(desc)}</desc>`,
    close: '</svg>',
  };
}

export interface BarChartOptions {
  title: string;
  points: ChartPoint[];
  /** What one unit is, for the description and tooltips ("papers", "votes"). */
  unit?: string;
  width?: number;
  height?: number;
  /** Bar colour; default `currentColor`. */
  color?: string;
}

/** Vertical bars, one per point (a day), with the axis maximum and the first and last labels. */
export function barChart(o: BarChartOptions): string {
  const width = o.width ?? 640;
  const height = o.height ?? 220;
  const unit = o.unit ?? '';
  const color = escapeXml(o.color ?? 'currentColor');
  const values = o.points.map((p) => (Number.isFinite(p.value) && p.value > 0 ? p.value : 0));
  const max = niceCeiling(Math.max(0, ...values));
  // Room on the left for the axis top (the widest of the axis labels), drawn right-aligned 6 units from the plot.
  const left = Math.max(24, Math.ceil(textWidth(fmt(max), FONT_SIZE)) + 10); const right = 8; const top = 10; const bottom = 26;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const total = values.reduce((a, b) => a + b, 0);
  const peak = o.points.length ? o.points[values.indexOf(Math.max(...values))]! : null;
  const first = o.points[0]?.label ?? '';
  const last = o.points[o.points.length - 1]?.label ?? '';
  const desc = o.points.length === 0
    ? 'No data.'
    : `${fmt(total)} ${unit} over ${o.points.length} ${o.points.length === 1 ? 'entry' : 'entries'} from ${first} to ${last}; the most, ${fmt(Math.max(...values))}, on ${peak!.label}.`.replace(/\s+/g, ' ');
  const { head, close } = open(width, height, o.title, desc, 'bc');
  const parts = [head];
  // Axis: baseline, top line with the maximum, zero.
  parts.push(`<g fill="none" stroke="currentColor" stroke-opacity="0.3"><path d="M${left} ${top + plotH}H${width - right}M${left} ${top}H${width - right}"/></g>`);
  parts.push(`<g fill="currentColor" fill-opacity="0.8" text-anchor="end"><text x="${left - 6}" y="${top + 4}">${fmt(max)}</text><text x="${left - 6}" y="${top + plotH}">0</text></g>`);
  const n = o.points.length;
  if (n > 0) {
    const slot = plotW / n;
    const gap = slot > 4 ? Math.min(2, slot * 0.2) : 0;
    parts.push(`<g fill="${color}">`);
    o.points.forEach((p, i) => {
      const v = values[i]!;
      const h = (v / max) * plotH;
      const x = left + i * slot + gap / 2;
      parts.push(`<rect x="${r2(x)}" y="${r2(top + plotH - h)}" width="${r2(Math.max(0.5, slot - gap))}" height="${r2(h)}"><title>${escapeXml(`${p.label}: ${fmt(v)} ${unit}`.trim())}</title></rect>`);
    });
    parts.push('</g>');
    parts.push(`<g fill="currentColor" fill-opacity="0.8"><text x="${left}" y="${height - 8}">${escapeXml(first)}</text>`
      + (n > 1 ? `<text x="${width - right}" y="${height - 8}" text-anchor="end">${escapeXml(last)}</text>` : '') + '</g>');
  } else {
    parts.push(`<text x="${left + plotW / 2}" y="${top + plotH / 2}" text-anchor="middle" fill="currentColor">No data yet</text>`);
  }
  parts.push(close);
  return parts.join('');
}

export interface HorizontalBarOptions {
  title: string;
  items: ChartPoint[];
  unit?: string;
  width?: number;
  /** Height of one row, in SVG units. */
  rowHeight?: number;
  color?: string;
}

/** Horizontal bars with their labels and values: a ranking (top categories). */
export function horizontalBarChart(o: HorizontalBarOptions): string {
  const width = o.width ?? 640;
  const row = o.rowHeight ?? 22;
  const unit = o.unit ?? '';
  const color = escapeXml(o.color ?? 'currentColor');
  const pad = 4;
  // Room for the longest label on the left (up to 40% of the width: a longer one is cut, with …)
  // and for the largest value after the longest bar.
  const labelW = Math.min(Math.round(width * 0.4), Math.ceil(Math.max(0, ...o.items.map((i) => textWidth(i.label, FONT_SIZE)))) + 6 + pad);
  const valueW = Math.ceil(Math.max(0, ...o.items.map((i) => textWidth(fmt(i.value), FONT_SIZE)))) + 6;
  const height = Math.max(row, o.items.length * row) + pad * 2;
  const max = Math.max(1, ...o.items.map((i) => i.value));
  const desc = o.items.length === 0 ? 'No data.' : o.items.map((i) => `${i.label}: ${fmt(i.value)}`).join('; ') + (unit ? ` (${unit}).` : '.');
  const { head, close } = open(width, height, o.title, desc, 'hb');
  const parts = [head];
  if (o.items.length === 0) {
    parts.push(`<text x="${width / 2}" y="${row}" text-anchor="middle" fill="currentColor">No data yet</text>`);
  }
  const barMax = width - labelW - valueW - pad * 2;
  o.items.forEach((item, i) => {
    const y = pad + i * row;
    const w = Math.max(1, (Math.max(0, item.value) / max) * barMax);
    parts.push(`<text x="${labelW - 6}" y="${r2(y + row * 0.68)}" text-anchor="end" fill="currentColor">${escapeXml(fitText(item.label, labelW - 6 - pad, FONT_SIZE))}</text>`
      + `<rect x="${labelW}" y="${r2(y + 3)}" width="${r2(w)}" height="${row - 6}" fill="${color}"><title>${escapeXml(`${item.label}: ${fmt(item.value)} ${unit}`.trim())}</title></rect>`
      + `<text x="${r2(labelW + w + 6)}" y="${r2(y + row * 0.68)}" fill="currentColor" fill-opacity="0.8">${fmt(item.value)}</text>`);
  });
  parts.push(close);
  return parts.join('');
}

export interface SparklineOptions {
  /** Values oldest first. */
  values: number[];
  /** Says what the line shows, for the image's title ("Upvotes, last 30 days"). */
  title: string;
  /** A sentence with the numbers, for the description. */
  description: string;
  width?: number;
  height?: number;
  color?: string;
}

/** A small line without axes, and a dot on the latest value. Scales from 0 to the largest value. */
export function sparkline(o: SparklineOptions): string {
  const width = o.width ?? 120;
  const height = o.height ?? 28;
  const color = escapeXml(o.color ?? 'currentColor');
  const pad = 3;
  const vals = o.values.map((v) => (Number.isFinite(v) ? Math.max(0, v) : 0));
  const max = Math.max(1, ...vals);
  const n = vals.length;
  const x = (i: number) => (n <= 1 ? width / 2 : pad + (i / (n - 1)) * (width - pad * 2));
  const y = (v: number) => height - pad - (v / max) * (height - pad * 2);
  const t = idOf('spt', o.title);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${t}">`,
    `<title id="${t}">${escapeXml(`${o.title}: ${o.description}`)}</title>`,
  ];
  if (n > 0) {
    const d = vals.map((v, i) => `${i === 0 ? 'M' : 'L'}${r2(x(i))} ${r2(y(v))}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6" stroke-linejoin="round" stroke-linecap="round"/>`);
    parts.push(`<circle cx="${r2(x(n - 1))}" cy="${r2(y(vals[n - 1]!))}" r="2.4" fill="${color}"/>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/** A round avatar with the name's first letter, its colour picked from the name. */
export function letterAvatar(name: string, size = 64): string {
  const letter = (Array.from(name.trim())[0] ?? '?').toUpperCase();
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)!) >>> 0;
  const hue = h % 360;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" width="${size}" height="${size}" role="img" aria-label="${escapeXml(name)}">`
    + `<circle cx="${size / 2}" cy="${size / 2}" r="${size / 2}" fill="hsl(${hue}, 45%, 42%)"/>`
    + `<text x="50%" y="50%" dy="0.35em" text-anchor="middle" font-family="system-ui, sans-serif" font-size="${Math.round(size * 0.45)}" fill="#ffffff">${escapeXml(letter)}</text></svg>`;
}

/** Breaks text into at most `maxLines` lines of about `perLine` characters, at spaces; the last ends with … when cut. */
export function wrapText(text: string, perLine: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const raw of text.replace(/\s+/g, ' ').trim().split(' ').filter(Boolean)) {
    const word = raw.length > perLine ? `${raw.slice(0, perLine - 1)}…` : raw;
    if (line && line.length + 1 + word.length > perLine) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  const last = kept[maxLines - 1]!;
  kept[maxLines - 1] = `${last.length >= perLine ? last.slice(0, perLine - 1) : last}…`;
  return kept;
}

/** A 1200×630 card with a paper's title, its first authors and the site's name: a thumbnail. */
export function titleCard(o: { title: string; byline: string; site: string }): string {
  const lines = wrapText(o.title, 34, 4);
  const byline = wrapText(o.byline, 60, 1)[0] ?? '';
  const text = lines.map((l, i) => `<text x="80" y="${200 + i * 84}" font-size="64" font-weight="700" fill="#1a1d23">${escapeXml(l)}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1200 630" width="1200" height="630" role="img" aria-label="${escapeXml(o.title)}" font-family="system-ui, sans-serif">`
    + '<rect width="1200" height="630" fill="#f5f7fa"/><rect width="1200" height="14" fill="#1f4fd1"/>'
    + `${text}<text x="80" y="${200 + lines.length * 84 + 30}" font-size="32" fill="#555b66">${escapeXml(byline)}</text>`
    + `<text x="80" y="570" font-size="30" font-weight="600" fill="#1f4fd1">${escapeXml(o.site)}</text></svg>`;
}
