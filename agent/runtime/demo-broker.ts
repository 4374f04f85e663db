import net from 'node:net';
import { Aedes } from 'aedes';

/**
 * The demo's embedded MQTT broker (aedes, MQTT 3.1.1) on 127.0.0.1, so `npm run demo` needs no
 * outside service. Port 0 picks a free port.
 */
export async function startEmbeddedBroker(port = 0): Promise<{ url: string; close: () => Promise<void> }> {
  const broker = await Aedes.createBroker();
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as net.AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        broker.close(() => server.close(() => resolve()));
      }),
  };
}
