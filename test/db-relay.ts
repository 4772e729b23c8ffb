import net from 'node:net';

/**
 * A TCP relay to PostgreSQL that stands for the network: `cut()` closes it
 * and every connection through it, so whoever uses `url` loses its database
 * until `restore()`.
 */
export async function startDatabaseRelay(databaseUrl: string) {
  const target = new URL(databaseUrl);
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((socket) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const end of [socket, upstream]) {
      sockets.add(end);
      end.on('error', () => {});
      end.on('close', () => sockets.delete(end));
    }
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const port = (relay.address() as net.AddressInfo).port;
  const viaRelay = new URL(databaseUrl);
  viaRelay.host = `127.0.0.1:${port}`;
  const cut = () => {
    relay.close();
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: viaRelay.toString(),
    cut,
    restore: () => new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve)),
    close: cut,
  };
}
