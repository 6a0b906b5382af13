/** The string-valued fields of a query or form body; anything else (arrays, objects) is ignored. */
export type Params = Record<string, string | undefined>;

export function stringParams(source: unknown): Params {
  const params: Params = {};
  if (source && typeof source === 'object') {
    for (const [key, value] of Object.entries(source)) if (typeof value === 'string') params[key] = value;
  }
  return params;
}
