import http from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { appEnv, connectUser, rssMegabytes, startApp, startEmulator, startRedis, VIA_PROXY, type AppProcess } from '../support/processes';
import type { Row } from '../support/rows';

/**
 * What an instance holds for open pages and for strangers (issue 11): live-folder event
 * streams up to the instance's bound, one upstream longpoll per watched folder, memory per
 * stream; and what 10,000 anonymous requests to protected routes leave in Redis (nothing).
 */

const STREAMS_PER_INSTANCE = 1000;
const STREAMS_PER_SESSION = 4;
const FOLDERS = 20;
const ANONYMOUS_REQUESTS = 10_000;

interface OpenStream {
  status: Promise<number>;
  close(): void;
}

const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

function openStream(app: AppProcess, cookie: string, folder: string): OpenStream {
  let request: http.ClientRequest | undefined;
  const status = new Promise<number>((resolve) => {
    request = http.get(`${app.url}/events/browse/${encodeURIComponent(folder)}`, { agent, headers: { ...VIA_PROXY, Cookie: cookie, Accept: 'text/event-stream' } }, (response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
    });
    request.on('error', () => resolve(0));
  });
  return { status, close: () => request?.destroy() };
}

async function streams(app: AppProcess, emulatorCalls: (route: string) => Promise<number>): Promise<Row[]> {
  const sessions = STREAMS_PER_INSTANCE / STREAMS_PER_SESSION;
  const cookies: string[] = [];
  for (let i = 0; i < sessions; i += 25) cookies.push(...(await Promise.all(Array.from({ length: Math.min(25, sessions - i) }, () => connectUser(app.url)))));
  const folders = Array.from({ length: FOLDERS }, (_, n) => `Watched ${n + 1}`);
  for (const folder of folders) await (await fetch(`${app.url}/browse/${encodeURIComponent(folder)}`, { headers: { ...VIA_PROXY, Cookie: cookies[0] } })).text();
  await delay(500);
  const rssBefore = rssMegabytes(app.pid);
  const longpollsBefore = await emulatorCalls('files/list_folder/longpoll');
  const open: OpenStream[] = [];
  cookies.forEach((cookie, session) => {
    for (let n = 0; n < STREAMS_PER_SESSION; n += 1) open.push(openStream(app, cookie, folders[(session + n) % FOLDERS]));
  });
  const statuses = await Promise.all(open.map((stream) => stream.status));
  await delay(1500);
  const rssAfter = rssMegabytes(app.pid);
  const longpolls = (await emulatorCalls('files/list_folder/longpoll')) - longpollsBefore;
  const extraCookie = await connectUser(app.url);
  const refused = await openStream(app, extraCookie, folders[0]).status;
  for (const stream of open) stream.close();
  const held = statuses.filter((status) => status === 200).length;
  return [
    {
      id: 'S1',
      what: `event streams on one instance: ${STREAMS_PER_INSTANCE.toLocaleString('en-US')} from ${sessions} sessions (${STREAMS_PER_SESSION} each) on ${FOLDERS} folders, then one more`,
      target: `all ${STREAMS_PER_INSTANCE.toLocaleString('en-US')} held, one longpoll per folder, the next refused (503)`,
      measured: `${held} held; ${longpolls} upstream longpolls; the next answered ${refused}`,
      met: held === STREAMS_PER_INSTANCE && longpolls <= FOLDERS && refused === 503,
    },
    {
      id: 'S2',
      what: 'memory per open event stream (app RSS growth / streams)',
      target: 'measured',
      measured: `${(((rssAfter - rssBefore) * 1024) / STREAMS_PER_INSTANCE).toFixed(1)} KB (RSS ${Math.round(rssBefore)} -> ${Math.round(rssAfter)} MB)`,
    },
  ];
}

async function anonymousRequests(app: AppProcess, redisKeys: () => Promise<number>): Promise<Row> {
  const routes = ['/browse/Photos', '/browse', '/file/Documents/Notes.md', '/download/Documents/Notes.md', '/search?q=beach', '/thumbnail/Photos/Family.jpg?size=w256h256', '/events/browse/Photos'];
  const accepts = ['text/html', 'application/json', 'image/avif,image/webp,*/*'];
  const before = await redisKeys();
  let sent = 0;
  const worker = async () => {
    while (sent < ANONYMOUS_REQUESTS) {
      const n = sent++;
      const response = await fetch(`${app.url}${routes[n % routes.length]}`, { headers: { ...VIA_PROXY, Accept: accepts[n % accepts.length] }, redirect: 'manual' });
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
  const added = (await redisKeys()) - before;
  return {
    id: 'S3',
    what: `Redis keys added by ${ANONYMOUS_REQUESTS.toLocaleString('en-US')} cookieless requests to protected routes (pages, JSON, thumbnails, search, event streams)`,
    target: '0',
    measured: String(added),
    met: added === 0,
  };
}

export async function streamsAndSessions(): Promise<Row[]> {
  const redis = await startRedis();
  const emulator = await startEmulator();
  let app: AppProcess | undefined;
  try {
    for (let n = 1; n <= FOLDERS; n += 1) await emulator.control('files', { path: `/Watched ${n}/note.txt`, content: 'x' });
    app = await startApp(appEnv(redis.url, emulator.url, { EVENT_STREAMS_PER_INSTANCE: String(STREAMS_PER_INSTANCE), EVENT_STREAMS_PER_SESSION: String(STREAMS_PER_SESSION) }));
    const connection = await redis.connect();
    const redisKeys = async () => Number(await connection.command<number>(undefined, true, ['DBSIZE']));
    try {
      const rows = await streams(app, (route) => emulator.calls(route));
      rows.push(await anonymousRequests(app, redisKeys));
      return rows;
    } finally {
      await connection.close();
    }
  } finally {
    await app?.stop();
    await emulator.stop();
    await redis.stop();
  }
}
