import { readFileSync } from 'node:fs';
import { fromCib, schedule } from './src/index.js';

const s = fromCib(readFileSync(process.argv[2] as string, 'utf8'));
console.log(JSON.stringify(s.nodes.map((n) => [n.name, n.state, n.standby, n.maintenance])));
console.log(JSON.stringify(s.state));
const t = schedule(s);
console.log(t.placements, t.reasons);
console.log(
  'fence',
  t.fence,
  s.hasQuorum,
  s.options,
  s.resources.filter((r) => r.id === 'rz3'),
);
