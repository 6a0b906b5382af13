/** Reading the app's HTML as a browser would: attribute values decoded, links and fields found. */

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#34;': '"' };

export function decodeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#34);/g, (entity) => ENTITIES[entity]);
}

/** The entry links of a folder page: `{href, label}` with both decoded. */
export function entryLinksOf(html: string): { href: string; label: string }[] {
  return [...html.matchAll(/<td class="name"><svg class="icon"[^>]*><use href="[^"]+"><\/use><\/svg> <a href="([^"]+)"[^>]*>([^<]*)<\/a>/g)].map((match) => ({
    href: decodeHtml(match[1]),
    label: decodeHtml(match[2]),
  }));
}

/** Where the "Load more" form (GET) leads: its action with its hidden fields as the query. */
export function loadMoreHrefOf(html: string): string | undefined {
  const form = /<form class="more" id="load-more" method="get" action="([^"]+)">([\s\S]*?)<\/form>/.exec(html);
  if (!form) return undefined;
  const fields = [...form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match) => [decodeHtml(match[1]), decodeHtml(match[2])]);
  return `${decodeHtml(form[1])}?${new URLSearchParams(fields).toString()}`;
}

export function csrfTokenOf(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('the page has no CSRF field');
  return decodeHtml(token);
}
