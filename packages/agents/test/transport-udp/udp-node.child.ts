// Child process for the namespace test: runs one UDP transport from the JSON options in argv[2]
// and prints one JSON line per membership or ring-status change, until SIGTERM.
import { createUdpTransport, type UdpTransportOptions } from '../../src/transport-udp/index.js';

const opts = JSON.parse(process.argv[2]!) as UdpTransportOptions;
const t = createUdpTransport(opts);
const out = (o: object): void => {
  process.stdout.write(`${JSON.stringify({ at: performance.now(), ...o })}\n`);
};
t.onMembership((members) => out({ event: 'members', members }));
t.onRingStatus((rings) => out({ event: 'rings', rings }));
await t.join(opts.self, () => {}, { signal: new AbortController().signal });
out({ event: 'joined' });
process.on('SIGTERM', () => {
  void t.close().then(() => process.exit(0));
});
