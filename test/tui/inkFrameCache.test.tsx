// Colours on, so the frames carry ANSI styles through the cache (chalk reads this when it is first loaded).
process.env.FORCE_COLOR = '1';

import { describe, expect, it } from 'vitest';

const { Box, Text } = await import('ink');
const { render, cleanup } = await import('ink-testing-library');
const { installInkFrameCache } = await import('../../src/tui/inkFrameCache.js');
const { Dashboard } = await import('../../src/tui/Dashboard.js');
const { fixtureStore } = await import('./helpers.js');

/** A frame with what the cache must keep exact: colours, inverse, wide characters, emoji, gaps and overlaps. */
function Sample({ n }: { n: number }) {
  return (
    <Box flexDirection="column" width={60} height={8}>
      <Box>
        <Text color="green" bold>
          ● live
        </Text>
        <Text dimColor>│ 漢字</Text>
        <Text> {n} events </Text>
      </Box>
      <Text inverse>{`› row ${n % 3} selected`}</Text>
      <Text>{`plain ascii row ${n}`}</Text>
      <Text color="yellow">{n % 2 === 0 ? 'even 🚀 emoji' : 'odd line'}</Text>
      <Box marginLeft={4}>
        <Text>indented — dash</Text>
      </Box>
      <Text wrap="truncate-end">{'x'.repeat(80)}</Text>
    </Box>
  );
}

/** Renders every n in `ns` and returns the frames; with `clip` the box clips, which takes Ink's own path. */
function frames(ns: number[], clip = false): string[] {
  const out: string[] = [];
  const r = render(
    <Box overflow={clip ? 'hidden' : 'visible'} width={60} height={8}>
      <Sample n={ns[0]!} />
    </Box>,
  );
  out.push(r.lastFrame() ?? '');
  for (const n of ns.slice(1)) {
    r.rerender(
      <Box overflow={clip ? 'hidden' : 'visible'} width={60} height={8}>
        <Sample n={n} />
      </Box>,
    );
    out.push(r.lastFrame() ?? '');
  }
  r.unmount();
  return out;
}

function dashboardFrame(): string {
  const { store, now } = fixtureStore();
  const r = render(<Dashboard store={store} dataDir="/tmp/gw" theme={{ color: true }} width={100} height={30} tickMs={0} now={() => now} initialTab={1} />);
  const frame = r.lastFrame() ?? '';
  r.unmount();
  return frame;
}

describe('Ink frame cache', () => {
  it('produces the same frames as Ink, through changes, repeats, wide characters and clipping', async () => {
    const sequence = [1, 2, 2, 3, 1, 4, 4, 5];
    const inkFrames = frames(sequence);
    const inkClipped = frames(sequence, true);
    const inkDashboard = dashboardFrame();
    cleanup();

    expect(await installInkFrameCache()).toBe(true); // a changed Ink build would fall back silently: fail here instead
    expect(frames(sequence)).toEqual(inkFrames);
    expect(frames(sequence, true)).toEqual(inkClipped);
    expect(dashboardFrame()).toEqual(inkDashboard);
    cleanup();

    // the frames really are styled, wide and changing, so the comparison above covers those paths
    expect(inkFrames[0]).toContain('\u001b[');
    expect(inkFrames[0]).toContain('漢字');
    expect(new Set(inkFrames).size).toBe(5);
  });
});
