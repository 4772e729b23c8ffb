import net from 'node:net';

/**
 * A TCP relay to PostgreSQL that stands for the network. `cut()` closes it
 * and every connection through it, so whoever uses `url` loses its database
 * until `restore()`. `blackHole()` keeps every connection open and carries
 * nothing either way, new connections included, as a network that drops
 * packets does; `restore()` then delivers what was held, as TCP's
 * retransmission would.
 */
export async function startDatabaseRelay(databaseUrl: string) {
  const target = new URL(databaseUrl);
  const sockets = new Set<net.Socket>();
  const resumers = new Set<() => void>();
  let holding = false;

  /** Carries `from`'s data to `to`, or keeps it while the relay holds everything; returns what sends the kept data. */
  function forward(from: net.Socket, to: () => net.Socket | undefined) {
    const held: Buffer[] = [];
    const flush = () => {
      const destination = to();
      if (holding || !destination) return;
      for (const chunk of held.splice(0)) destination.write(chunk);
    };
    from.on('data', (chunk: Buffer) => {
      held.push(chunk);
      flush();
    });
    resumers.add(flush);
    from.on('close', () => resumers.delete(flush));
    return flush;
  }

  const relay = net.createServer((socket) => {
    let upstream: net.Socket | undefined;
    const track = (end: net.Socket) => {
      sockets.add(end);
      end.on('error', () => {});
      end.on('close', () => sockets.delete(end));
    };
    track(socket);
    let sendHeld = () => {};
    const connectUpstream = () => {
      if (upstream || holding || socket.destroyed) return;
      upstream = net.connect(Number(target.port || 5432), target.hostname);
      track(upstream);
      forward(upstream, () => socket);
      upstream.on('close', () => socket.destroy());
      socket.on('close', () => upstream?.destroy());
      sendHeld();
    };
    sendHeld = forward(socket, () => upstream);
    resumers.add(connectUpstream);
    socket.on('close', () => resumers.delete(connectUpstream));
    connectUpstream();
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
    blackHole() {
      holding = true;
    },
    async restore() {
      if (holding) {
        holding = false;
        for (const resume of [...resumers]) resume();
        return;
      }
      await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
    },
    close: cut,
  };
}
