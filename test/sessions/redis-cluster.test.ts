import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { connect, sessionCookieOf } from '../support/oauth-dance';
import { freePort } from '../support/ports';
import { waitForRedis } from '../support/redis';
import { sessionIdOf, startStack, type Stack } from '../support/stack';

/** A real Redis Cluster of three masters, each with one replica, on free ports. */
class TestCluster {
  readonly nodes = new Map<number, ChildProcess>();
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'dropview-cluster-'));

  async start(ports: number[]): Promise<void> {
    for (const port of ports) {
      const node = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          '1000',
          '--cluster-replica-validity-factor',
          '0',
          '--dir',
          this.dir,
          '--save',
          '',
          '--appendonly',
          'no',
        ],
        { stdio: 'ignore' },
      );
      this.nodes.set(port, node);
    }
    await Promise.all(ports.map((port) => waitForRedis(`redis://127.0.0.1:${port}`, 5000)));
    execFileSync('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '1', '--cluster-yes'], { stdio: 'ignore' });
    await this.waitUntilHealthy(ports[0]);
    await this.waitForReplicasInSync(ports);
  }

  /** A replica that never finished its first sync cannot take over from its master. */
  async waitForReplicasInSync(ports: number[]): Promise<void> {
    const deadline = Date.now() + 20_000;
    const inSync = (port: number) => {
      const replication = this.cli(port, 'info', 'replication');
      return replication.includes('role:master') || replication.includes('master_link_status:up');
    };
    while (!ports.every(inSync)) {
      if (Date.now() > deadline) throw new Error('the replicas did not sync');
      await setTimeout(200);
    }
  }

  cli(port: number, ...args: string[]): string {
    return execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' });
  }

  async waitUntilHealthy(port: number): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!this.cli(port, 'cluster', 'info').includes('cluster_state:ok')) {
      if (Date.now() > deadline) throw new Error('the cluster did not become healthy');
      await setTimeout(200);
    }
  }

  /** The port of the master that serves `key`. */
  masterOf(port: number, key: string): number {
    const slot = Number(this.cli(port, 'cluster', 'keyslot', key).trim());
    for (const line of this.cli(port, 'cluster', 'nodes').trim().split('\n')) {
      const [, address, flags, , , , , , ...ranges] = line.split(' ');
      if (!flags.includes('master') || flags.includes('fail')) continue;
      const owns = ranges.some((range) => {
        const [from, to = from] = range.split('-').map(Number);
        return slot >= from && slot <= to;
      });
      if (owns) return Number(address.split(':')[1].split('@')[0]);
    }
    throw new Error(`no live master for slot ${slot}`);
  }

  stop(): void {
    for (const node of this.nodes.values()) node.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('Sessions, credentials and locks on a Redis Cluster (REDIS_CLUSTER_NODES)', () => {
  const cluster = new TestCluster();
  let ports: number[];
  let stack: Stack;
  let clockOffsetMs = 0;

  beforeAll(async () => {
    ports = [];
    while (ports.length < 6) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    await cluster.start(ports);
    stack = await startStack({
      env: {
        REDIS_CLUSTER_NODES: ports
          .slice(0, 3)
          .map((port) => `127.0.0.1:${port}`)
          .join(','),
      },
      now: () => Date.now() + clockOffsetMs,
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    cluster.stop();
  });

  test('when a user connects and browses on a cluster, then sessions and credentials work and a refresh burst makes one refresh', async () => {
    expect(stack.sessions.description).toContain('Redis Cluster');
    const agent = stack.agent();
    await connect(agent);
    await agent.get('/browse/Photos').expect(200);

    clockOffsetMs = 5 * 3_600_000;
    const before = stack.emulator.calls('oauth2/token', 'refresh_token').length;
    const responses = await Promise.all(Array.from({ length: 30 }, () => agent.get('/browse/Documents').set('Accept', 'application/json')));
    expect(responses.map((response) => response.status)).toEqual(Array(30).fill(200));
    expect(stack.emulator.calls('oauth2/token', 'refresh_token').length).toBe(before + 1);
    await stack.agent().get('/readyz').expect(200);
  });

  test('when the master holding a session dies, then its replica takes over and the user keeps browsing', async () => {
    const agent = stack.agent();
    const { response } = await connect(agent);
    await agent.get('/browse').expect(200);
    const sessionKey = `${stack.namespace}sess:${sessionIdOf(sessionCookieOf(response) as string)}`;
    const master = cluster.masterOf(ports[0], sessionKey);
    // Replication is asynchronous: WAIT returns once the replica acknowledged what the master holds.
    expect(cluster.cli(master, 'WAIT', '1', '5000').trim()).toBe('1');
    const survivor = ports.find((port) => port !== master) as number;

    cluster.nodes.get(master)?.kill('SIGKILL');
    const during = await agent.get('/browse').set('Accept', 'text/html');
    expect([200, 503]).toContain(during.status);
    await cluster.waitUntilHealthy(survivor);

    const deadline = Date.now() + 20_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (await agent.get('/browse').set('Accept', 'text/html')).status;
      if (status !== 200) await setTimeout(250);
    }
    expect(status).toBe(200);
    expect(cluster.masterOf(survivor, sessionKey)).not.toBe(master);
  }, 60_000);
});
