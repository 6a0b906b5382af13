import type { Stack } from './stack';

/** A scrape of GET /metrics, read as Prometheus reads the text format. */

/** A token that passes METRICS_TOKEN's checks (long, varied). */
export const TEST_METRICS_TOKEN = 'metrics-token-Zq8vR2xK7mW4pL9sT3nB6cY1dF5gH0jE';

export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function seriesOf(text: string): Series[] {
  const series: Series[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(LABEL)) labels[name] = value;
    series.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return series;
}

export interface Scrape {
  text: string;
  series: Series[];
  /** The sum over the series of `name` whose labels include `labels` (0 when there is none). */
  value(name: string, labels?: Record<string, string>): number;
}

export async function scrape(stack: Stack): Promise<Scrape> {
  const response = await fetch(`${stack.url}/metrics`, { headers: { Authorization: `Bearer ${TEST_METRICS_TOKEN}` } });
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  const text = await response.text();
  const series = seriesOf(text);
  return {
    text,
    series,
    value: (name, labels = {}) => series.filter((one) => one.name === name && Object.entries(labels).every(([label, value]) => one.labels[label] === value)).reduce((sum, one) => sum + one.value, 0),
  };
}

/** How much each named series moved between two scrapes. */
export function moved(before: Scrape, after: Scrape, name: string, labels?: Record<string, string>): number {
  return after.value(name, labels) - before.value(name, labels);
}
