/**
 * Small inline-SVG charts for the HTML report. Hand-written rather than a charting library so
 * the report opens offline, anywhere, with no script at all: every chart is static markup, and
 * hovering a point or cell shows its numbers through the SVG <title> element.
 */

/** Escapes text for HTML/SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

export const COLORS = {
  train: '#6b7280',
  synthetic: '#2563eb',
  independentMarginals: '#d97706',
  bernoulliMixture: '#059669',
  holdout: '#9ca3af',
  ideal: '#111827',
};

const FONT = 'font-family="system-ui, sans-serif" font-size="11"';
const n2 = (x: number) => Number(x.toFixed(2));

/**
 * Real vs synthetic prevalence per code on square-root axes: most codes are rare, and on linear
 * axes they would pile up in one corner while the few common codes took all the room. The
 * diagonal is "same prevalence"; points above it are over-generated codes.
 */
export function prevalenceScatter(train: readonly number[], synthetic: readonly number[], labels: readonly string[]): string {
  const size = 320;
  const margin = 44;
  const plot = size - margin - 12;
  const max = Math.max(0.01, ...train, ...synthetic);
  const scale = (v: number) => Math.sqrt(Math.max(0, v) / max) * plot;
  const x = (v: number) => n2(margin + scale(v));
  const y = (v: number) => n2(12 + plot - scale(v));
  const ticks = [0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1].filter((t) => t <= max);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" role="img" aria-label="Prevalence per code, training vs synthetic" ${FONT}>`,
    `<rect x="${margin}" y="12" width="${plot}" height="${plot}" fill="#f9fafb" stroke="#d1d5db"/>`,
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(max)}" y2="${y(max)}" stroke="${COLORS.ideal}" stroke-dasharray="4 3" stroke-width="1"/>`,
  ];
  for (const t of ticks) {
    parts.push(`<text x="${x(t)}" y="${size - 18}" text-anchor="middle">${t}</text>`);
    parts.push(`<text x="${margin - 4}" y="${n2(y(t) + 4)}" text-anchor="end">${t}</text>`);
  }
  parts.push(`<text x="${margin + plot / 2}" y="${size - 3}" text-anchor="middle">training prevalence (√ scale)</text>`);
  parts.push(`<text transform="translate(11 ${12 + plot / 2}) rotate(-90)" text-anchor="middle">synthetic prevalence (√ scale)</text>`);
  for (let c = 0; c < train.length; c++) {
    if (train[c] === 0 && synthetic[c] === 0) continue;
    parts.push(
      `<circle cx="${x(train[c])}" cy="${y(synthetic[c])}" r="2.5" fill="${COLORS.synthetic}" fill-opacity="0.55"><title>${escapeXml(labels[c] ?? String(c))}: training ${train[c]}, synthetic ${synthetic[c]}</title></circle>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/**
 * Share of records holding 0, 1, 2, … codes, training vs synthetic side by side. The long right
 * tail is folded into a last "k+" bin where both histograms have reached 99% of their records.
 */
export function codesPerRecordChart(train: readonly number[], synthetic: readonly number[]): string {
  const share = (h: readonly number[]) => {
    const total = h.reduce((s, v) => s + v, 0) || 1;
    return h.map((v) => v / total);
  };
  const a = share(train);
  const b = share(synthetic);
  const reach99 = (p: number[]) => {
    let sum = 0;
    for (let i = 0; i < p.length; i++) if ((sum += p[i]) >= 0.99) return i;
    return p.length - 1;
  };
  const last = Math.min(60, Math.max(10, reach99(a), reach99(b)) + 1);
  const folded = (p: number[]) => Array.from({ length: last + 1 }, (_, i) => (i < last ? (p[i] ?? 0) : p.slice(last).reduce((s, v) => s + v, 0)));
  const fa = folded(a);
  const fb = folded(b);
  const width = 560;
  const height = 240;
  const margin = { left: 44, right: 10, top: 12, bottom: 34 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const top = Math.max(...fa, ...fb, 0.01);
  const band = plotW / (last + 1);
  const bar = Math.max(1, band / 2 - 0.5);
  const y = (v: number) => n2(margin.top + plotH - (v / top) * plotH);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Codes per record" ${FONT}>`,
    `<line x1="${margin.left}" y1="${margin.top + plotH}" x2="${width - margin.right}" y2="${margin.top + plotH}" stroke="#9ca3af"/>`,
  ];
  for (const t of [0, top / 2, top]) {
    parts.push(`<text x="${margin.left - 4}" y="${n2(y(t) + 4)}" text-anchor="end">${(100 * t).toFixed(0)}%</text>`);
  }
  for (let i = 0; i <= last; i++) {
    const x0 = margin.left + i * band;
    const label = i < last ? String(i) : `${last}+`;
    parts.push(
      `<rect x="${n2(x0)}" y="${y(fa[i])}" width="${n2(bar)}" height="${n2(margin.top + plotH - y(fa[i]))}" fill="${COLORS.train}"><title>${label} codes: ${(100 * fa[i]).toFixed(1)}% of training records</title></rect>`,
      `<rect x="${n2(x0 + bar)}" y="${y(fb[i])}" width="${n2(bar)}" height="${n2(margin.top + plotH - y(fb[i]))}" fill="${COLORS.synthetic}"><title>${label} codes: ${(100 * fb[i]).toFixed(1)}% of synthetic records</title></rect>`,
    );
    if (i % 5 === 0 || i === last) parts.push(`<text x="${n2(x0 + band / 2)}" y="${height - 20}" text-anchor="middle">${label}</text>`);
  }
  parts.push(`<text x="${margin.left + plotW / 2}" y="${height - 4}" text-anchor="middle">codes per record (share of records)</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/** Diverging colour for a correlation: blue below 0, red above, full strength from |r| = 0.5. */
function correlationColour(r: number): string {
  const t = Math.min(1, Math.abs(r) / 0.5);
  // From white towards the full colour channel by channel.
  const mix = (full: number) => Math.round(255 + (full - 255) * t);
  return r >= 0 ? `rgb(${mix(220)},${mix(38)},${mix(38)})` : `rgb(${mix(37)},${mix(99)},${mix(235)})`;
}

/**
 * A k × k correlation heatmap (row-major values) with code labels. Colour saturates at |r| = 0.5
 * because comorbidity correlations are mostly small and would otherwise all look white; the
 * diagonal (always 1) is grey so it does not dominate.
 */
export function correlationHeatmap(values: readonly number[], labels: readonly string[], title: string): string {
  const k = labels.length;
  const cell = 11;
  const labelSpace = 64;
  const size = labelSpace + k * cell + 4;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size + 16}" viewBox="0 0 ${size} ${size + 16}" role="img" aria-label="${escapeXml(title)}" font-family="system-ui, sans-serif" font-size="8">`,
    `<text x="${labelSpace}" y="11" font-size="12" font-weight="600">${escapeXml(title)}</text>`,
  ];
  const top = 16 + labelSpace;
  for (let i = 0; i < k; i++) {
    parts.push(`<text x="${labelSpace - 3}" y="${top + i * cell + 8}" text-anchor="end">${escapeXml(labels[i])}</text>`);
    parts.push(`<text transform="translate(${labelSpace + i * cell + 8} ${top - 3}) rotate(-90)">${escapeXml(labels[i])}</text>`);
    for (let j = 0; j < k; j++) {
      const r = values[i * k + j];
      const fill = i === j ? '#e5e7eb' : correlationColour(r);
      parts.push(
        `<rect x="${labelSpace + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${fill}"><title>${escapeXml(labels[i])} × ${escapeXml(labels[j])}: r = ${r.toFixed(3)}</title></rect>`,
      );
    }
  }
  parts.push('</svg>');
  return parts.join('\n');
}

export interface DotRow {
  label: string;
  /** Axis range of this row. */
  domain: [number, number];
  /** Drawn as a dashed mark: the value a perfect, non-memorising generator would get. */
  ideal: number | null;
  values: { name: string; value: number | null; colour: string }[];
}

/** One strip per metric with a dot per data set and the ideal value marked: scores beside their baselines. */
export function dotComparison(rows: readonly DotRow[]): string {
  const width = 600;
  const labelWidth = 240;
  const rowHeight = 30;
  const plotW = width - labelWidth - 50;
  const height = rows.length * rowHeight + 8;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Scores beside their baselines" ${FONT}>`,
  ];
  rows.forEach((row, i) => {
    const [lo, hi] = row.domain;
    const x = (v: number) => n2(labelWidth + ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo || 1)) * plotW);
    const cy = 8 + i * rowHeight + rowHeight / 2;
    parts.push(`<text x="${labelWidth - 8}" y="${cy + 4}" text-anchor="end">${escapeXml(row.label)}</text>`);
    parts.push(`<line x1="${labelWidth}" y1="${cy}" x2="${labelWidth + plotW}" y2="${cy}" stroke="#d1d5db"/>`);
    // Rows sharing an axis range are labelled once, under the last of them.
    const next = rows[i + 1];
    if (!next || next.domain[0] !== lo || next.domain[1] !== hi) {
      parts.push(`<text x="${labelWidth}" y="${cy + 13}" fill="#6b7280" font-size="9">${lo}</text>`);
      parts.push(`<text x="${labelWidth + plotW}" y="${cy + 13}" fill="#6b7280" font-size="9" text-anchor="end">${hi}</text>`);
    }
    if (row.ideal !== null) {
      parts.push(
        `<line x1="${x(row.ideal)}" y1="${cy - 9}" x2="${x(row.ideal)}" y2="${cy + 9}" stroke="${COLORS.ideal}" stroke-dasharray="3 2"><title>ideal ${row.ideal}</title></line>`,
      );
    }
    for (const v of row.values) {
      if (v.value === null) continue;
      parts.push(
        `<circle cx="${x(v.value)}" cy="${cy}" r="5" fill="${v.colour}" fill-opacity="0.85" stroke="#fff"><title>${escapeXml(v.name)}: ${v.value.toFixed(3)}</title></circle>`,
      );
    }
  });
  parts.push('</svg>');
  return parts.join('\n');
}
