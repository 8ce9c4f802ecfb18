/** The dashboard's panels, in tab order (number keys 1–7). Live AI comes last so the older panels keep their numbers. */
export const TABS = [
  { key: 'overview', title: 'Overview', short: 'Over' },
  { key: 'sessions', title: 'Sessions', short: 'Sess' },
  { key: 'orchestrators', title: 'Orchestrators', short: 'Orch' },
  { key: 'failovers', title: 'Failovers', short: 'Fail' },
  { key: 'tickets', title: 'Tickets', short: 'Tix' },
  { key: 'log', title: 'Log', short: 'Log' },
  { key: 'live', title: 'Live AI', short: 'Live' },
] as const;

export type TabKey = (typeof TABS)[number]['key'];
