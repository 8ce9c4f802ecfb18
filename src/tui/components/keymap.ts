/**
 * The dashboard's key bindings as a pure function of (UI state, key) → (next UI state, effects). Keys are
 * applied to the latest state one after another, so fast typing or pasted input is never lost to a render
 * that has not happened yet.
 */
import { LOG_LEVELS, type LogLevel } from './logLevels.js';
import { TABS } from './tabs.js';

export interface UiState {
  readonly tab: number;
  /** Selected row per tab. */
  readonly selected: readonly number[];
  /** Log panel: index of the last row shown, or -1 to follow the tail. */
  readonly logAnchor: number;
  readonly filters: readonly string[];
  readonly typing: boolean;
  /** Session whose detail is open. */
  readonly detail: string | null;
  readonly help: boolean;
  readonly paused: boolean;
  readonly minLevel: LogLevel;
}

/** The subset of Ink's Key the bindings use. */
export interface KeyLike {
  readonly upArrow?: boolean;
  readonly downArrow?: boolean;
  readonly leftArrow?: boolean;
  readonly rightArrow?: boolean;
  readonly pageUp?: boolean;
  readonly pageDown?: boolean;
  readonly home?: boolean;
  readonly end?: boolean;
  readonly return?: boolean;
  readonly escape?: boolean;
  readonly ctrl?: boolean;
  readonly meta?: boolean;
  readonly shift?: boolean;
  readonly tab?: boolean;
  readonly backspace?: boolean;
  readonly delete?: boolean;
}

/** What the rows look like right now (from the last render). */
export interface KeyContext {
  /** Row count per tab after filtering. */
  readonly counts: readonly number[];
  /** Session keys of the Sessions panel rows, in display order. */
  readonly sessionKeys: readonly string[];
}

export type Effect = { readonly type: 'quit' } | { readonly type: 'focus'; readonly id: string | null } | { readonly type: 'dismiss' } | { readonly type: 'pause'; readonly paused: boolean };

export const LOG_TAB = 5;
const SESSIONS_TAB = 1;

/** The initial UI state. */
export function initialUi(tab = 0, detail: string | null = null): UiState {
  return {
    tab,
    selected: TABS.map(() => 0),
    logAnchor: -1,
    filters: TABS.map(() => ''),
    typing: false,
    detail,
    help: false,
    paused: false,
    minLevel: 'info',
  };
}

const setAt = <T>(list: readonly T[], i: number, v: T): T[] => list.map((x, j) => (j === i ? v : x));

/** Applies one key press. */
export function handleKey(ui: UiState, input: string, key: KeyLike, ctx: KeyContext): { ui: UiState; effects: Effect[] } {
  const none = (next: UiState) => ({ ui: next, effects: [] as Effect[] });
  const tab = ui.tab;
  if (ui.typing) {
    if (key.return) return none({ ...ui, typing: false });
    if (key.escape) return none({ ...ui, typing: false, filters: setAt(ui.filters, tab, '') });
    if (key.backspace || key.delete) return none({ ...ui, filters: setAt(ui.filters, tab, (ui.filters[tab] ?? '').slice(0, -1)) });
    if (input && !key.ctrl && !key.meta && !/[\x00-\x1f]/.test(input)) return none({ ...ui, filters: setAt(ui.filters, tab, (ui.filters[tab] ?? '') + input) });
    return none(ui);
  }
  if (input === 'q') return { ui, effects: [{ type: 'quit' }] };
  if (ui.help) return none(input === '?' || key.escape ? { ...ui, help: false } : ui);
  const goTo = (t: number) => none({ ...ui, tab: ((t % TABS.length) + TABS.length) % TABS.length });
  if (key.tab) return goTo(tab + (key.shift ? -1 : 1));
  if (key.rightArrow) return goTo(tab + 1);
  if (key.leftArrow) return goTo(tab - 1);
  if (/^[1-9]$/.test(input) && Number(input) <= TABS.length) return goTo(Number(input) - 1);
  if (input === '?') return none({ ...ui, help: true });
  if (input === 'p') return { ui: { ...ui, paused: !ui.paused }, effects: [{ type: 'pause', paused: !ui.paused }] };
  if (input === 'x') return { ui, effects: [{ type: 'dismiss' }] };
  if (input === '/') return none({ ...ui, typing: true, filters: setAt(ui.filters, tab, '') });
  if (key.escape || ((key.backspace || key.delete) && ui.detail)) {
    if (ui.detail && tab === SESSIONS_TAB) return { ui: { ...ui, detail: null }, effects: [{ type: 'focus', id: null }] };
    return none({ ...ui, filters: setAt(ui.filters, tab, '') });
  }
  const step = key.pageUp || key.pageDown ? 10 : 1;
  const up = key.upArrow || key.pageUp || input === 'k';
  const down = key.downArrow || key.pageDown || input === 'j';
  if (tab === LOG_TAB) {
    if (input === 'l') return none({ ...ui, minLevel: LOG_LEVELS[(LOG_LEVELS.indexOf(ui.minLevel) + 1) % LOG_LEVELS.length]! });
    const last = (ctx.counts[LOG_TAB] ?? 0) - 1;
    const cur = ui.logAnchor < 0 ? last : Math.min(ui.logAnchor, last);
    if (up) return none({ ...ui, logAnchor: Math.max(0, cur - step) });
    if (down) return none({ ...ui, logAnchor: cur + step >= last ? -1 : cur + step });
    if (key.end || input === 'G') return none({ ...ui, logAnchor: -1 });
    if (key.home || input === 'g') return none({ ...ui, logAnchor: 0 });
    return none(ui);
  }
  const count = ctx.counts[tab] ?? 0;
  const cur = Math.min(ui.selected[tab] ?? 0, Math.max(0, count - 1));
  const clamp = (v: number) => Math.max(0, Math.min(v, Math.max(0, count - 1)));
  if (up) return none({ ...ui, selected: setAt(ui.selected, tab, clamp(cur - step)) });
  if (down) return none({ ...ui, selected: setAt(ui.selected, tab, clamp(cur + step)) });
  if (key.home || input === 'g') return none({ ...ui, selected: setAt(ui.selected, tab, 0) });
  if (key.end || input === 'G') return none({ ...ui, selected: setAt(ui.selected, tab, clamp(count - 1)) });
  if (key.return && tab === SESSIONS_TAB && !ui.detail) {
    const id = ctx.sessionKeys[cur];
    if (id !== undefined) return { ui: { ...ui, detail: id }, effects: [{ type: 'focus', id }] };
  }
  return none(ui);
}
