/**
 * One projection of the daemon's event stream into sessions, tickets and failovers, shared by the daemon's
 * list routes and the dashboard. See state.ts for the caps, fold.ts for the rules, sessions.ts and activity.ts
 * for the views.
 */
export * from './state.js';
export * from './fold.js';
export * from './sessions.js';
export * from './activity.js';
