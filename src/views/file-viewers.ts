import MarkdownIt from 'markdown-it';

/**
 * A file's text as the page shows it: Markdown rendered to HTML, CSV cut into a table, code
 * split into numbered lines. The text is the user's file and so untrusted: Markdown is
 * rendered with raw HTML off, links only to http(s) and mailto, and images shown as links
 * (an image would load from wherever the file says); everything else reaches the page
 * through EJS's escaping.
 */

const SAFE_LINK = /^(https?:|mailto:)/i;

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });
// markdown-it's own check lets through relative and anchor links; only other sites and mail here.
markdown.validateLink = (url: string) => SAFE_LINK.test(url.trim());
markdown.renderer.rules.link_open = (tokens, index, options, _env, self) => {
  tokens[index].attrSet('rel', 'nofollow noopener noreferrer');
  return self.renderToken(tokens, index, options);
};
markdown.renderer.rules.image = (tokens, index) => {
  const token = tokens[index];
  const src = String(token.attrGet('src') ?? '');
  const alt = markdown.utils.escapeHtml(token.content || 'image');
  return SAFE_LINK.test(src) ? `<a href="${markdown.utils.escapeHtml(src)}" rel="nofollow noopener noreferrer">[image: ${alt}]</a>` : `[image: ${alt}]`;
};

/** Markdown as HTML that can hold no script, no raw markup and no resource from elsewhere. */
export function markdownHtml(text: string): string {
  return markdown.render(text);
}

/** Rows a CSV table shows at most. */
export const CSV_MAX_ROWS = 500;

export interface CsvTable {
  header: string[];
  rows: string[][];
  /** The file has more rows than are shown. */
  cut: boolean;
}

/** The header and first `maxRows` rows of CSV text (RFC 4180 quoting: commas, quotes and line breaks inside quotes). */
export function csvTable(text: string, maxRows = CSV_MAX_ROWS): CsvTable {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let index = 0;
  // The header, the rows shown, and one more to know whether the table was cut.
  const wanted = maxRows + 2;
  for (; index < text.length && rows.length < wanted; index += 1) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"' && cell === '') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += char;
  }
  if ((cell !== '' || row.length > 0) && rows.length < wanted) rows.push([...row, cell]);
  const [header = [], ...body] = rows;
  return { header, rows: body.slice(0, maxRows), cut: body.length > maxRows };
}

/** Lines of code or text, for numbered display; a final line break adds no empty line. */
export function linesOf(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
