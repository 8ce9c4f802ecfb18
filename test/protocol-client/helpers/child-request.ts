// Child process for the "cached connections do not keep the process alive" test: requests through the default
// pool and agents, print the results, then let the event loop drain on its own (no exit, no pool.close()).
import { wireRequest } from '../../../src/lib/protocol/httpTransport.js';

for (const url of process.argv.slice(2)) {
  const res = await wireRequest(url, { method: 'GET', dialTimeoutMs: 2000, headersTimeoutMs: 5000, totalTimeoutMs: 5000 });
  process.stdout.write(`status=${res.status} body=${res.body.toString()}\n`);
}
