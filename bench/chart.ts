/**
 * A small SVG chart of the teardown scenarios, written by hand (no dependency): per scenario, three bars on a
 * log scale: the lower bound, the measured teardown, and the per-job baseline.
 */

export interface ChartRow {
  label: string;
  lowerBoundMs: number;
  measuredMs: number;
  baselineMs: number;
  /** "extrapolated" marks a baseline measured on a sample. */
  baselineNote?: string;
}

const BARS = [
  { key: "lowerBoundMs", name: "lower bound", color: "#9ca3af" },
  { key: "measuredMs", name: "pulumi-jobsets", color: "#2563eb" },
  { key: "baselineMs", name: "per-job baseline", color: "#dc2626" },
] as const;

const WIDTH = 720;
const ROW_HEIGHT = 78;
const LEFT = 120;
const RIGHT = 150;
const TOP = 76;
const BAR_HEIGHT = 16;

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function teardownChart(rows: readonly ChartRow[], subtitle: string): string {
  const values = rows.flatMap((row) => [row.lowerBoundMs, row.measuredMs, row.baselineMs]).filter((v) => v > 0);
  const minDecade = Math.floor(Math.log10(Math.max(1, Math.min(...values))));
  const maxDecade = Math.ceil(Math.log10(Math.max(10, ...values)));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const x = (ms: number) => LEFT + ((Math.log10(Math.max(ms, 10 ** minDecade)) - minDecade) / (maxDecade - minDecade)) * plotWidth;
  const height = TOP + rows.length * ROW_HEIGHT + 40;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${LEFT}" y="20" font-size="15" font-weight="bold">Teardown wall time (log scale)</text>`);
  out.push(`<text x="${LEFT}" y="38" fill="#4b5563">${escapeXml(subtitle)}</text>`);
  for (let decade = minDecade; decade <= maxDecade; decade++) {
    const gx = x(10 ** decade).toFixed(1);
    out.push(`<line x1="${gx}" y1="${TOP - 6}" x2="${gx}" y2="${height - 34}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${gx}" y="${height - 20}" text-anchor="middle" fill="#6b7280">${formatMs(10 ** decade)}</text>`);
  }
  rows.forEach((row, i) => {
    const top = TOP + i * ROW_HEIGHT;
    out.push(`<text x="${LEFT - 10}" y="${top + ROW_HEIGHT / 2 - 4}" text-anchor="end" font-weight="bold">${escapeXml(row.label)}</text>`);
    BARS.forEach((bar, b) => {
      const value = row[bar.key];
      const y = top + b * (BAR_HEIGHT + 4);
      const end = x(value);
      out.push(`<rect x="${LEFT}" y="${y}" width="${Math.max(1, end - LEFT).toFixed(1)}" height="${BAR_HEIGHT}" fill="${bar.color}"/>`);
      const note = bar.key === "baselineMs" && row.baselineNote ? ` (${row.baselineNote})` : "";
      out.push(`<text x="${(end + 6).toFixed(1)}" y="${y + BAR_HEIGHT - 4}" fill="#111827">${escapeXml(formatMs(value) + note)}</text>`);
    });
  });
  BARS.forEach((bar, b) => {
    const lx = LEFT + b * 150;
    out.push(`<rect x="${lx}" y="48" width="12" height="12" fill="${bar.color}"/>`);
    out.push(`<text x="${lx + 18}" y="58">${bar.name}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
