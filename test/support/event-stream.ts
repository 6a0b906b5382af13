import http from 'node:http';

/** A folder page's event stream, read as the browser's EventSource would. */
export interface EventStreamReader {
  /** Resolves once the server answered 200 and sent its `retry:` line. */
  opened: Promise<void>;
  /** Resolves with everything sent so far once `pattern` matched; rejects after `timeoutMs`. */
  until(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  status: Promise<number>;
  close(): void;
}

export function openEventStream(url: string, cookie: string): EventStreamReader {
  let text = '';
  const waiters = new Set<() => void>();
  let markOpen!: () => void;
  let markEnded!: () => void;
  let markStatus!: (status: number) => void;
  const opened = new Promise<void>((resolve) => (markOpen = resolve));
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  const status = new Promise<number>((resolve) => (markStatus = resolve));
  const request = http.get(url, { headers: { Cookie: cookie, Accept: 'text/event-stream' } }, (response) => {
    markStatus(response.statusCode ?? 0);
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('retry:')) markOpen();
      for (const check of waiters) check();
    });
    response.on('end', markEnded);
    response.on('close', markEnded);
  });
  request.on('error', () => markEnded());
  return {
    opened,
    ended,
    status,
    until(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; got ${JSON.stringify(text)}`));
        }, timeoutMs);
        const check = () => {
          if (!pattern.test(text)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(text);
        };
        waiters.add(check);
        check();
      });
    },
    close: () => request.destroy(),
  };
}

/**
 * Resolves once the folder at `path` (`/Huge`) has been read whole, as an open page learns it:
 * its event stream, opened for a version no page shows, says `changed` when the read is done,
 * or at once if it already is. Opening the stream starts the read if nothing has.
 */
export async function untilFolderRead(baseUrl: string, cookie: string, path: string, timeoutMs = 60_000): Promise<void> {
  const stream = openEventStream(`${baseUrl}/events/browse${path}?version=none`, cookie);
  try {
    await stream.until(/event: changed/, timeoutMs);
  } finally {
    stream.close();
  }
}
