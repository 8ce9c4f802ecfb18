// Preload (node --import) that CPU-profiles the whole process and writes a .cpuprofile into $GW_BENCH_PROFILE_DIR
// when it exits. `--cpu-prof` itself is refused in NODE_OPTIONS, and the daemon is started by launchDaemon, so the
// benchmarks reach it this way (BENCH_GW_PROFILE=<dir>). Open the file in Chrome DevTools or speedscope.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.GW_BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.once('exit', () => {
    // Same-thread inspector sessions answer synchronously, so this completes inside the exit handler.
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `gw-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
