/** Colours, or none: with NO_COLOR the dashboard uses only inverse/bold/dim, which NO_COLOR allows. */
export interface Theme {
  readonly color: boolean;
}

export type Tone = 'green' | 'red' | 'yellow' | 'cyan' | 'gray' | 'magenta';

/** The colour to pass to Ink's `color` prop, or undefined when colours are off. */
export function tone(theme: Theme, c: Tone): Tone | undefined {
  return theme.color ? c : undefined;
}

/** Whether colours are allowed by the environment (https://no-color.org). */
export function colorAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}
