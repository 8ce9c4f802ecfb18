import { EventEmitter } from 'node:events';
import { render } from 'ink';
import { describe, expect, it } from 'vitest';
import { App } from '../../src/tui/components/App.js';
import { colorAllowed, tone } from '../../src/tui/components/theme.js';
import { fixtureView, frameLines, tick, widthOf } from './helpers.js';

/** A terminal whose size can change, like a real one being resized. */
class Terminal extends EventEmitter {
  columns = 100;
  rows = 30;
  frames: string[] = [];
  write = (frame: string) => {
    this.frames.push(frame);
    return true;
  };
  last = () => frameLines(this.frames[this.frames.length - 1]);
}

describe('terminal size', () => {
  it('lays out for the terminal and re-lays out on resize (one line short of the height)', async () => {
    const term = new Terminal();
    const stdin = Object.assign(new EventEmitter(), { isTTY: false, setRawMode() {}, setEncoding() {}, resume() {}, pause() {}, ref() {}, unref() {}, read: () => null });
    const app = render(<App view={fixtureView()} dataDir="/x" theme={{ color: false }} initialTab={2} />, {
      stdout: term as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      debug: true,
      patchConsole: false,
    });
    await tick(30);
    let lines = term.last();
    expect(lines.length).toBe(29);
    expect(Math.max(...lines.map(widthOf))).toBeLessThanOrEqual(100);
    // at 100 columns the address column fits
    expect(lines.join('\n')).toContain('0xbbbb…2222');

    term.columns = 70;
    term.rows = 16;
    term.emit('resize');
    await tick(30);
    lines = term.last();
    expect(lines.length).toBe(15);
    for (const l of lines) expect(widthOf(l), l).toBeLessThanOrEqual(70);
    expect(lines.join('\n')).toContain('orch-a.test:8935');
    app.unmount();
  });
});

describe('NO_COLOR', () => {
  it('turns colours off (https://no-color.org: any non-empty value)', () => {
    expect(colorAllowed({})).toBe(true);
    expect(colorAllowed({ NO_COLOR: '' })).toBe(true);
    expect(colorAllowed({ NO_COLOR: '1' })).toBe(false);
    expect(tone({ color: false }, 'red')).toBeUndefined();
    expect(tone({ color: true }, 'red')).toBe('red');
  });
});
