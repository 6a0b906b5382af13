/** Reading the app's HTML as a browser would: attribute values decoded, links and fields found. */

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#34;': '"' };

export function decodeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#34);/g, (entity) => ENTITIES[entity]);
}

/** The entry links of a folder page: `{href, label}` with both decoded. */
export function entryLinksOf(html: string): { href: string; label: string }[] {
  return [...html.matchAll(/<td><svg class="icon"[^>]*><use href="[^"]+"><\/use><\/svg> <a href="([^"]+)">([^<]*)<\/a>/g)].map((match) => ({
    href: decodeHtml(match[1]),
    label: decodeHtml(match[2]),
  }));
}

export function loadMoreHrefOf(html: string): string | undefined {
  const href = /<a class="button load-more" id="load-more" href="([^"]+)">/.exec(html)?.[1];
  return href === undefined ? undefined : decodeHtml(href);
}

export function csrfTokenOf(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('the page has no CSRF field');
  return decodeHtml(token);
}
