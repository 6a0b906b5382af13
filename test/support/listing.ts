import type { Sort } from './folder-order';
import type { Stack } from './stack';

/** A folder listing as JSON clients get it, and walking one page by page. */

export interface Listing {
  path: string;
  entries: { type: 'folder' | 'file'; name: string; path: string; size?: number; modified?: string }[];
  hasMore: boolean;
  cursor?: string;
  complete: boolean;
  total: number;
}

export type Agent = ReturnType<Stack['agent']>;

export const folderCalls = (stack: Stack) => stack.emulator.journal.filter((call) => call.route.startsWith('files/list_folder') && call.route !== 'files/list_folder/longpoll');
export const query = (sort: Sort) => `sort=${sort.key}&order=${sort.order}`;

export async function json(agent: Agent, address: string): Promise<Listing> {
  return (await agent.get(address).set('Accept', 'application/json').expect(200)).body as Listing;
}

/** Every entry of a folder, page after page, in the order asked for. */
export async function walk(agent: Agent, folder: string, sort: Sort): Promise<string[]> {
  const names: string[] = [];
  let listing = await json(agent, `${folder}?${query(sort)}`);
  names.push(...listing.entries.map((entry) => entry.name));
  while (listing.hasMore) {
    listing = await json(agent, `${folder}?${query(sort)}&cursor=${encodeURIComponent(listing.cursor as string)}`);
    names.push(...listing.entries.map((entry) => entry.name));
  }
  return names;
}
