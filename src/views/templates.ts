import { readFileSync } from 'node:fs';
import path from 'node:path';
import ejs, { type TemplateFunction } from 'ejs';

/**
 * The EJS views, each compiled into one function. A view's `include('partials/...')` lines are
 * spliced into its source before it is compiled, because EJS's own include looks the partial up
 * on disk (existsSync) and copies every local on each call: 3 % of a folder page's CPU under
 * load (npm run bench:profile). The views share one set of locals, so splicing renders the same
 * page.
 *
 * With `cache` (production and tests) each view is compiled once; without it (development) on
 * every render, so edits show on reload.
 */

const INCLUDE = /<%-\s*include\(\s*'([^']+)'\s*\)\s*%>/g;
const MAX_INCLUDE_DEPTH = 5;

type EngineCallback = (error: Error | null, html?: string) => void;

export class Templates {
  private readonly compiled = new Map<string, TemplateFunction>();

  constructor(
    private readonly directory: string,
    readonly cache: boolean,
  ) {}

  /** A view by name (`browse`, `partials/entry-rows`), rendered with these locals. */
  render(name: string, locals: object): string {
    return this.renderFile(path.join(this.directory, `${name}.ejs`), locals);
  }

  /** For `app.engine('ejs', templates.engine)`: Express hands over a view's full path. */
  readonly engine = (filePath: string, locals: object, callback: EngineCallback): void => {
    let html: string;
    try {
      html = this.renderFile(filePath, locals);
    } catch (error) {
      return callback(error as Error);
    }
    callback(null, html);
  };

  private renderFile(filePath: string, locals: object): string {
    let template = this.compiled.get(filePath);
    if (!template) {
      template = ejs.compile(this.sourceOf(filePath, 0), { filename: filePath });
      if (this.cache) this.compiled.set(filePath, template);
    }
    return template(locals);
  }

  private sourceOf(filePath: string, depth: number): string {
    if (depth > MAX_INCLUDE_DEPTH) throw new Error(`${filePath}: includes nest deeper than ${MAX_INCLUDE_DEPTH}`);
    return readFileSync(filePath, 'utf8').replace(INCLUDE, (_line, name: string) => this.sourceOf(path.join(this.directory, `${name}.ejs`), depth + 1));
  }
}
