import { describe, expect, it } from 'vitest';
import { aiModelsText, winProbText } from './format.js';

const MAX = (1n << 256n) - 1n;

describe('winProbText', () => {
  it('shows a ticket win probability (an integer over 2^256 − 1) as a probability and as odds', () => {
    expect(winProbText((MAX / 16_142_034n).toString())).toBe('6.2e-8 (1 in 16,142,000)');
    expect(winProbText(MAX / 100n)).toBe('0.01 (1 in 100)');
    expect(winProbText(MAX / 4n)).toBe('0.25 (1 in 4)');
    expect(winProbText(MAX)).toBe('1 (every ticket wins)');
    expect(winProbText('0')).toBe('0 (never wins)');
  });

  it('leaves text that is not an integer as it is', () => {
    expect(winProbText('n/a')).toBe('n/a');
  });
});

describe('aiModelsText', () => {
  it('groups models by pipeline, marks cold ones, and shows — for none', () => {
    const text = aiModelsText([
      { pipeline: 'llm', modelId: 'a', warm: true },
      { pipeline: 'text-to-image', modelId: 'b', warm: true },
      { pipeline: 'llm', modelId: 'c', warm: false },
    ]);
    expect(text).toBe('llm: a, c (cold)\ntext-to-image: b');
    expect(aiModelsText([])).toBe('—');
  });
});
