/** The dashboard's panels, in tab order (number keys 1–6). */
export const TABS = [
  { key: 'overview', title: 'Overview', short: 'Over' },
  { key: 'sessions', title: 'Sessions', short: 'Sess' },
  { key: 'orchestrators', title: 'Orchestrators', short: 'Orch' },
  { key: 'failovers', title: 'Failovers', short: 'Fail' },
  { key: 'tickets', title: 'Tickets', short: 'Tix' },
  { key: 'log', title: 'Log', short: 'Log' },
] as const;

export type TabKey = (typeof TABS)[number]['key'];
