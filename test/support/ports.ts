import net from 'node:net';

/**
 * A port nothing listens on now. Only for redis-server, which takes its port on the command line
 * and cannot report one the kernel chose; the app and the emulator bind port 0 and read theirs.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
