/**
 * Ink 6 builds every frame from scratch: a fresh `Output` with empty caches turns each line into styled
 * characters again (ANSI tokenizing), measures each character again with string-width, fills a new grid of cell
 * objects and serialises every row back to a string. On a 120×40 dashboard at 10 frames a second that was most of
 * the dashboard's CPU, although nearly every line is the same as in the previous frame.
 *
 * This module replaces `Output#get` with one that keeps what does not change between frames: one bounded cache
 * set shared by all frames, one shared blank cell, and the serialised string of each row, reused while the row
 * holds the same cell objects (unchanged lines come out of the cache as the same objects). Frames that clip
 * (overflow="hidden" boxes) go through Ink's own code.
 *
 * It reaches into Ink's build (output.js is not in Ink's export map), so it checks the shape it relies on and
 * leaves Ink alone when that shape is absent: a changed Ink renders correctly, just without the cache.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { styledCharsToString, type StyledChar } from '@alcalzone/ansi-tokenize';

/** Entries kept per cache before it is emptied: many frames' worth of distinct lines and characters. */
const MAX_ENTRIES = 20_000;

interface InkCaches {
  widths: Map<string, number>;
  blockWidths: Map<string, number>;
  styledChars: Map<string, StyledChar[]>;
  getStyledChars(line: string): StyledChar[];
  getStringWidth(text: string): number;
}
type Operation =
  | { type: 'write'; x: number; y: number; text: string; transformers: ReadonlyArray<(line: string, index: number) => string> }
  | { type: 'clip' }
  | { type: 'unclip' };
interface InkOutput {
  width: number;
  height: number;
  operations: Operation[];
  caches: InkCaches;
}
interface InkOutputClass {
  new (options: { width: number; height: number }): InkOutput;
  prototype: { get(this: InkOutput): { output: string; height: number } };
}

const PLAIN_ASCII = /^[\x20-\x7e]*$/;
const BLANK: StyledChar = Object.freeze({ type: 'char', value: ' ', fullWidth: false, styles: [] }) as StyledChar;

let installed: Promise<boolean> | undefined;

/** Installs the frame cache into Ink; resolves to whether Ink had the expected shape. Idempotent. */
export function installInkFrameCache(): Promise<boolean> {
  installed ??= install();
  return installed;
}

async function install(): Promise<boolean> {
  try {
    const inkEntry = fileURLToPath(import.meta.resolve('ink'));
    const mod = (await import(pathToFileURL(join(dirname(inkEntry), 'output.js')).href)) as { default?: unknown };
    const Output = mod.default as InkOutputClass | undefined;
    if (typeof Output !== 'function' || typeof Output.prototype.get !== 'function') return false;
    const probe = new Output({ width: 1, height: 1 });
    if (!isInkCaches(probe.caches) || !Array.isArray(probe.operations)) return false;
    const shared = new (probe.caches.constructor as new () => InkCaches)();
    const tokenized = shared.getStyledChars.bind(shared);
    shared.getStyledChars = (line) => {
      const hit = shared.styledChars.get(line);
      if (hit) return hit;
      if (!PLAIN_ASCII.test(line)) return tokenized(line);
      // most changed lines are unstyled ASCII table rows: no tokenizer needed to split them into cells
      const chars = Array.from(line, (value): StyledChar => ({ type: 'char', value, fullWidth: false, styles: [] }));
      shared.styledChars.set(line, chars);
      return chars;
    };
    const rows = new RowStrings();
    const inkGet = Output.prototype.get;
    Output.prototype.get = function cachedGet(this: InkOutput) {
      bound(shared);
      this.caches = shared;
      if (this.operations.some((op) => op.type !== 'write')) return inkGet.call(this);
      return composeFrame(this, shared, rows);
    };
    return true;
  } catch {
    return false;
  }
}

/** Lays the write operations onto a grid and serialises it, as Ink's Output#get does for unclipped frames. */
function composeFrame(out: InkOutput, caches: InkCaches, rows: RowStrings): { output: string; height: number } {
  const grid: StyledChar[][] = [];
  for (let y = 0; y < out.height; y++) grid.push(new Array<StyledChar>(out.width).fill(BLANK));
  for (const op of out.operations) {
    if (op.type !== 'write' || !op.text) continue;
    const lines = op.text.split('\n');
    for (let index = 0; index < lines.length; index++) {
      const row = grid[op.y + index];
      if (!row) continue;
      let line = lines[index]!;
      for (const transform of op.transformers) line = transform(line, index);
      const chars = caches.getStyledChars(line);
      if (allNarrow(chars, caches)) {
        for (let i = 0; i < chars.length; i++) row[op.x + i] = chars[i]!;
        continue;
      }
      let x = op.x;
      for (const ch of chars) {
        row[x] = ch;
        const w = Math.max(1, caches.getStringWidth(ch.value));
        // a wide character owns the following cells; they print nothing but keep its styles
        for (let k = 1; k < w; k++) row[x + k] = { type: 'char', value: '', fullWidth: false, styles: ch.styles };
        x += w;
      }
    }
  }
  const text = grid.map((row, y) => rows.get(y, row));
  rows.truncate(grid.length);
  return { output: text.join('\n'), height: grid.length };
}

const narrowLines = new WeakMap<StyledChar[], boolean>();

/** Whether every character of a (cached, hence reused) styled line takes one column. */
function allNarrow(chars: StyledChar[], caches: InkCaches): boolean {
  let narrow = narrowLines.get(chars);
  if (narrow === undefined) {
    narrow = chars.every((ch) => caches.getStringWidth(ch.value) <= 1);
    narrowLines.set(chars, narrow);
  }
  return narrow;
}

/** The last serialised string of each row index, kept while the row holds the very same cells. */
class RowStrings {
  private cells: StyledChar[][] = [];
  private strings: string[] = [];

  get(y: number, row: StyledChar[]): string {
    const prev = this.cells[y];
    if (prev && sameCells(prev, row)) return this.strings[y]!;
    const s = styledCharsToString(row.filter((c) => c !== undefined)).trimEnd();
    this.cells[y] = row;
    this.strings[y] = s;
    return s;
  }

  truncate(height: number): void {
    this.cells.length = Math.min(this.cells.length, height);
    this.strings.length = Math.min(this.strings.length, height);
  }
}

function sameCells(a: StyledChar[], b: StyledChar[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isInkCaches(value: unknown): value is InkCaches {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Partial<InkCaches>;
  return c.widths instanceof Map && c.blockWidths instanceof Map && c.styledChars instanceof Map && typeof c.getStyledChars === 'function' && typeof c.getStringWidth === 'function';
}

function bound(caches: InkCaches): void {
  for (const map of [caches.widths, caches.blockWidths, caches.styledChars]) if (map.size > MAX_ENTRIES) map.clear();
}
