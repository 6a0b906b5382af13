/** One line of the results table: what was measured, against what target, and whether it was met. */
export interface Row {
  id: string;
  what: string;
  target: string;
  measured: string;
  /** Undefined for a figure with no target (a measurement to document). */
  met?: boolean;
}

export function tableOf(rows: Row[]): string {
  return [
    '| | measure | target | measured | met |',
    '|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.id} | ${row.what} | ${row.target} | ${row.measured} | ${row.met === undefined ? '' : row.met ? 'yes' : '**no**'} |`),
  ].join('\n');
}
