import net from 'node:net';

/**
 * An adversary in a process of its own: opens `count` connections to
 * host:port, 2,000 a second, that send nothing, spread over the local addresses 127.0.0.2 …
 * (one client address each holds only its share), and holds them. It prints
 * one JSON line once every connection was tried ({ opened, failed }) and one
 * more ({ held }) on any input, then exits when its input ends.
 */
const [port, count, addresses] = process.argv.slice(2).map(Number);
const sockets = new Set<net.Socket>();
let opened = 0;
let failed = 0;

function open(index: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: `127.0.0.${2 + (index % addresses)}` });
    socket.once('connect', () => {
      opened++;
      sockets.add(socket);
      resolve();
    });
    socket.once('error', () => {
      failed++;
      resolve();
    });
    socket.once('close', () => sockets.delete(socket));
    socket.resume();
  });
}

// 200 every 100 ms: 2,000 connections a second for ten seconds.
for (let start = 0; start < count; start += 200) {
  const step = Math.min(200, count - start);
  await Promise.all([
    ...Array.from({ length: step }, (_, offset) => open(start + offset)),
    new Promise((resolve) => setTimeout(resolve, 100)),
  ]);
}
process.stdout.write(`${JSON.stringify({ opened, failed })}\n`);
process.stdin.on('data', () => process.stdout.write(`${JSON.stringify({ held: sockets.size })}\n`));
process.stdin.on('end', () => process.exit(0));
