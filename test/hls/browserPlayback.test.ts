// gw's live HLS tried as a viewer would: hls.js in headless Chromium (Debian's package, browser cache on) plays a
// stream transcoded by real devnet orchestrators, and a plain client checks how long segments stay fetchable.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import puppeteer, { type Browser } from 'puppeteer-core';
import { startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { httpRequest, startTestGateway, waitFor, type TestGateway } from '../helpers/gateway.js';

const CHROMIUM = '/usr/bin/chromium';

/** What the page records (window.__log). */
interface PageLog {
  frags: Array<{ level: number; sn: number }>;
  levels: Record<string, number[]>;
  errors: Array<{ fatal: boolean; details: string }>;
  waiting: number[];
  playing: number[];
  switched: number[];
  stalls: unknown[];
}
const PLAY_SECONDS = 32;
const STREAM = 'viewer';

const PAGE = `<!doctype html><html><body><video id="v" muted autoplay playsinline></video>
<script src="/hls.js"></script>
<script>
  const log = (window.__log = { frags: [], levels: {}, errors: [], waiting: [], playing: [], switched: [] });
  const video = document.getElementById('v');
  const ranges = () => Array.from({ length: video.buffered.length }, (_, i) => [video.buffered.start(i).toFixed(2), video.buffered.end(i).toFixed(2)].join('-')).join(' ');
  log.stalls = [];
  video.addEventListener('waiting', () => {
    log.waiting.push(performance.now());
    log.stalls.push({ at: video.currentTime.toFixed(2), buffered: ranges(), level: window.hls && window.hls.currentLevel });
  });
  video.addEventListener('playing', () => log.playing.push(performance.now()));
  window.startPlayer = (src) => {
    const hls = (window.hls = new Hls());
    hls.on(Hls.Events.FRAG_BUFFERED, (_, d) => log.frags.push({ level: d.frag.level, sn: d.frag.sn, start: d.frag.start.toFixed(2), buffered: ranges() }));
    hls.on(Hls.Events.LEVEL_LOADED, (_, d) => (log.levels[d.level] ??= []).push(d.details.targetduration));
    hls.on(Hls.Events.LEVEL_SWITCHED, (_, d) => log.switched.push(d.level));
    hls.on(Hls.Events.ERROR, (_, d) => log.errors.push({ type: d.type, details: d.details, fatal: d.fatal }));
    hls.loadSource(src);
    hls.attachMedia(video);
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      video.play().catch(() => {});
      // Walk through every level (seamless switches), so each one has to load fragments.
      setInterval(() => { hls.nextLevel = (Math.max(0, hls.currentLevel) + 1) % hls.levels.length; }, 5000);
    });
  };
</script></body></html>`;

describe.skipIf(!existsSync(CHROMIUM))('live HLS in a browser (hls.js in headless Chromium) from devnet orchestrators', () => {
  const orchestrators: DevnetOrchestrator[] = [];
  let gw: TestGateway;
  let publisher: ChildProcess;
  let pageServer: Server;
  let browser: Browser;
  let hlsBase: string;
  /** seq → [ms when it left the source playlist, playlist length then (ms), its duration, ms when it first 404'd] */
  const leaving = new Map<number, { leftAt: number; playlistMs: number; durationMs: number; goneAt?: number }>();
  let tracking = true;
  let tracker: Promise<void>;

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) orchestrators.push(await startDevnetOrchestrator({ pricePerUnit: 0n, pixelsPerUnit: 1n, offchain: true }));
    gw = await startTestGateway({ orchAddr: orchestrators.map((o) => o.serviceUri) });
    hlsBase = gw.state.httpUrl;
    publisher = spawn('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-re',
      '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
      '-t', String(PLAY_SECONDS + 40), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-pix_fmt', 'yuv420p', '-c:a', 'aac',
      '-f', 'flv', `rtmp://127.0.0.1:${gw.rtmpPort}/live/${STREAM}`,
    ], { stdio: 'ignore' });
    const hlsJs = readFileSync(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js'));
    pageServer = createServer((req, res) => {
      if (req.url === '/hls.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(hlsJs);
      else res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    });
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--headless=new', '--autoplay-policy=no-user-gesture-required', '--mute-audio'],
    });
    // All three variants in the master playlist (each appears with its first segment).
    await waitFor(async () => {
      const r = await httpRequest(`${hlsBase}/stream/${STREAM}.m3u8`);
      return r.status === 200 && (r.body.toString().match(/#EXT-X-STREAM-INF/g) ?? []).length === 3;
    }, 'three variants in the master playlist', 40_000);
    // A viewer joins a running stream: the source playlist holds its full window of six segments.
    await waitFor(async () => ((await httpRequest(`${hlsBase}/stream/${STREAM}/source.m3u8`)).body.toString().match(/#EXTINF/g) ?? []).length >= 6, 'a full playlist window', 30_000);
    tracker = trackSegments();
  }, 120_000);

  afterAll(async () => {
    tracking = false;
    await tracker?.catch(() => undefined);
    await browser?.close();
    pageServer?.close();
    publisher?.kill('SIGKILL');
    await gw?.stop();
    await Promise.all(orchestrators.map((o) => o.close()));
  });

  /** Polls the source playlist; each segment that leaves it is fetched until it answers 404. */
  async function trackSegments(): Promise<void> {
    let shown = new Map<number, number>();
    while (tracking) {
      const r = await httpRequest(`${hlsBase}/stream/${STREAM}/source.m3u8`);
      const now = performance.now();
      const text = r.body.toString();
      const next = new Map<number, number>();
      for (const m of text.matchAll(/#EXTINF:([\d.]+),\n[^\n]*?\/(\d+)\.ts/g)) next.set(Number(m[2]), Number(m[1]) * 1000);
      const playlistMs = [...next.values()].reduce((a, b) => a + b, 0);
      for (const [seq, durationMs] of shown) if (!next.has(seq) && !leaving.has(seq)) leaving.set(seq, { leftAt: now, playlistMs, durationMs });
      shown = next;
      for (const [seq, l] of leaving) {
        if (l.goneAt !== undefined) continue;
        const seg = await httpRequest(`${hlsBase}/stream/${STREAM}/source/${seq}.ts`);
        if (seg.status === 404) l.goneAt = performance.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  it(`plays for ${PLAY_SECONDS} s: playback follows wall time without stalls, every level loads fragments, constant target duration, RESOLUTION/CODECS on every variant, CORS on every response`, async () => {
    const page = await browser.newPage();
    const gwResponses: Array<{ url: string; status: number; cors: string | undefined; fromCache: boolean }> = [];
    page.on('response', (r) => {
      if (r.url().startsWith(hlsBase)) gwResponses.push({ url: r.url(), status: r.status(), cors: r.headers()['access-control-allow-origin'], fromCache: r.fromCache() });
    });
    const pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;
    await page.goto(pageUrl);
    // (page code as strings: the tests compile without the DOM library)
    await page.evaluate(`startPlayer(${JSON.stringify(`${hlsBase}/stream/${STREAM}.m3u8`)})`);
    const currentTime = async (): Promise<number> => Number(await page.evaluate(`document.getElementById('v').currentTime`));
    await waitFor(async () => (await currentTime()) > 0, 'playback started', 30_000);
    const startWall = performance.now();
    const startMedia = await currentTime();
    const samples: Array<[number, number]> = [];
    while (performance.now() - startWall < PLAY_SECONDS * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      samples.push([(performance.now() - startWall) / 1000, (await currentTime()) - startMedia]);
    }
    const log = (await page.evaluate('window.__log')) as PageLog;
    const levels = (await page.evaluate(
      `hls.levels.map((l) => ({ width: l.width, height: l.height, resolution: l.attrs.RESOLUTION, codecs: l.attrs.CODECS, frameRate: l.attrs['FRAME-RATE'] }))`,
    )) as Array<{ resolution?: string; codecs?: string; frameRate?: string }>;
    const [wall, media] = samples[samples.length - 1]!;
    console.log(JSON.stringify({ wall, media, levels, frags: log.frags, stalls: log.stalls, switched: log.switched, waiting: log.waiting.length, errors: log.errors, responses: gwResponses.length, fromCache: gwResponses.filter((r) => r.fromCache).length }));

    // playback advances with wall time, without stalling after the start
    expect(media).toBeGreaterThan(wall - 1.5);
    for (let i = 1; i < samples.length; i++) expect(samples[i]![1] - samples[i - 1]![1], `progress in second ${i}`).toBeGreaterThan(0.5);
    const firstPlaying = log.playing[0] ?? 0;
    expect(log.waiting.filter((t) => t > firstPlaying + 500)).toEqual([]);
    expect(log.errors.filter((e) => e.fatal)).toEqual([]);
    // every level loaded fragments, every variant has RESOLUTION and CODECS
    expect(levels).toHaveLength(3);
    for (const l of levels) {
      expect(l.resolution).toMatch(/^\d+x\d+$/);
      expect(l.codecs).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
    }
    expect(new Set(log.frags.map((f) => f.level))).toEqual(new Set([0, 1, 2]));
    // one constant target duration per level, across every reload
    for (const [level, targets] of Object.entries(log.levels)) expect(new Set(targets), `level ${level}`).toEqual(new Set([2]));
    // CORS on every response from gw (the page is on another origin)
    expect(gwResponses.length).toBeGreaterThan(20);
    expect(gwResponses.filter((r) => r.cors !== '*')).toEqual([]);
    await page.close();
  }, 90_000);

  it('keeps every segment fetchable for at least its duration plus the playlist length after it leaves the playlist', async () => {
    await waitFor(() => [...leaving.values()].filter((l) => l.goneAt !== undefined).length >= 2, 'two segments gone', 30_000);
    const gone = [...leaving.entries()].filter(([, l]) => l.goneAt !== undefined);
    console.log(JSON.stringify(gone.map(([seq, l]) => ({ seq, availableAfterLeavingMs: Math.round(l.goneAt! - l.leftAt), requiredMs: Math.round(l.durationMs + l.playlistMs) }))));
    // Polling every 250 ms (plus the fetches) can see a departure late: allow 1 s.
    for (const [seq, l] of gone) expect(l.goneAt! - l.leftAt, `segment ${seq}`).toBeGreaterThanOrEqual(l.durationMs + l.playlistMs - 1000);
  }, 60_000);
});
