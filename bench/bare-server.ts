/**
 * The baseline of the throughput figure: a bare Fastify route on the same
 * machine answering a payload detail of the same size from memory, with no
 * database, auth or validation, on PORT.
 */
import Fastify from 'fastify';

const body = JSON.parse(process.env.BARE_BODY ?? '{}');
const app = Fastify({ logger: false });
app.get('/bare/:id', async () => body);
app.get('/health', async () => ({}));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
