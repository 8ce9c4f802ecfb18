// Injectable time source: tests move it forward to expire auth tokens, ticket params and idle sessions.

/** Milliseconds since the Unix epoch. */
export interface Clock {
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };
