import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

/**
 * Dropview as a real process (`src/server.ts` through tsx), for tests and the soak. Through
 * tsx, the `@dropview/source` condition makes demo mode load the emulator package from its
 * TypeScript source, as jest does, so no stale build is ever tested.
 */

const ROOT = path.join(__dirname, '..', '..');

export interface ServerProcess {
  process: ChildProcess;
  port: number;
  /** Everything it printed so far. */
  output: () => string;
  /** Resolves once its output matches `pattern` (what it printed before counts too). */
  untilOutput: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
  /** SIGTERM, then the exit code. */
  stop: () => Promise<number | null>;
}

/**
 * `compiled`: run `dist/server.js` (after `npm run build`), as production does, instead of the
 * sources. `nodeArgs` go to node, `args` to Dropview (`--demo`).
 */
export async function startServerProcess(env: Record<string, string | undefined>, options: { compiled?: boolean; nodeArgs?: string[]; args?: string[] } = {}): Promise<ServerProcess> {
  const entry = options.compiled ? ['dist/server.js'] : ['--conditions=@dropview/source', '--import', 'tsx', 'src/server.ts'];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entry, ...(options.args ?? [])], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 60_000;
  // A fixed PORT is known already; with PORT=0 the app logs the one it got (at info level).
  const fixedPort = env.PORT && env.PORT !== '0' ? env.PORT : undefined;
  // Bounded: the port listens before the app is composed, and a request that arrives in between
  // is never answered (it would hang until the server's request timeout, 5 minutes).
  const answers = async (port: string) =>
    fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
      () => true,
      () => false,
    );
  for (;;) {
    const port = fixedPort ? ((await answers(fixedPort)) ? fixedPort : undefined) : /"port":(\d+)/.exec(output)?.[1];
    if (port) {
      return {
        process: child,
        port: Number(port),
        output: () => output,
        untilOutput: (pattern, timeoutMs = 10_000) => untilOutput(child, () => output, pattern, timeoutMs),
        async stop() {
          if (child.exitCode !== null) return child.exitCode;
          const exited = once(child, 'exit');
          child.kill('SIGTERM');
          return (await exited)[0] as number | null;
        },
      };
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`Dropview did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function untilOutput(child: ChildProcess, output: () => string, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!pattern.test(output())) return;
      done();
      resolve();
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`Dropview printed nothing matching ${pattern} within ${timeoutMs} ms:\n${output()}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
    };
    // Checked after the data listeners of startServerProcess have appended the chunk.
    const onData = () => setImmediate(check);
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    check();
  });
}
