import type { EntryTruth } from '@dropview/dropbox-emulator';

/**
 * The order a folder should show in, computed from the emulator's ground truth and written out
 * independently of the app: folders first; files by the key; then by name (numeric, ignoring
 * case and accents); then by the lower-case name. Folders keep name order when sorting by size
 * or date.
 */

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export type Sort = { key: 'name' | 'size' | 'modified'; order: 'asc' | 'desc' };

export function expectedNames(truth: EntryTruth[], sort: Sort): string[] {
  const byName = (a: EntryTruth, b: EntryTruth) => collator.compare(a.name, b.name) || (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : 0);
  const sign = sort.order === 'asc' ? 1 : -1;
  const value = (entry: EntryTruth) => (sort.key === 'size' ? (entry.size ?? 0) : Date.parse(entry.modified ?? '') / 1000);
  return [...truth]
    .sort((a, b) => {
      if (a.kind !== b.kind) return a.kind === 'folder' ? -1 : 1;
      if (a.kind === 'folder') return (sort.key === 'name' ? sign : 1) * byName(a, b);
      return sign * (sort.key === 'name' ? byName(a, b) : value(a) - value(b) || byName(a, b));
    })
    .map((entry) => entry.name);
}
