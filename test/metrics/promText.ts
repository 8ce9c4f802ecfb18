// A small strict parser for the Prometheus text exposition format (version 0.0.4), for tests: it rejects what
// Prometheus (or `promtool check metrics`) would reject — bad names, escapes and values, duplicate HELP/TYPE,
// samples of a family split apart or before their TYPE, duplicate series, negative counters, histograms whose
// buckets are not cumulative or lack +Inf = _count.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestamp?: number;
}

export interface MetricFamily {
  readonly name: string;
  type: MetricType;
  help: string | undefined;
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export class PromParseError extends Error {
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'PromParseError';
  }
}

/** Parses an exposition; throws PromParseError on the first violation. */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const finished = new Set<string>();
  const series = new Set<string>();
  const typed = new Set<string>();
  let current: MetricFamily | undefined;
  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new PromParseError(lines.length, 'exposition must end with a newline');
  lines.pop();

  const family = (name: string, n: number): MetricFamily => {
    if (current && current.name !== name) {
      finished.add(current.name);
      current = undefined;
    }
    if (finished.has(name)) throw new PromParseError(n, `metric family ${name} appears in two separate groups`);
    let f = families.get(name);
    if (!f) {
      f = { name, type: 'untyped', help: undefined, samples: [] };
      families.set(name, f);
    }
    current = f;
    return f;
  };

  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!m) return; // other comments are allowed
      const [, kind, name, rest = ''] = m;
      if (!METRIC_NAME.test(name!)) throw new PromParseError(n, `bad metric name ${JSON.stringify(name)}`);
      const f = family(name!, n);
      if (kind === 'HELP') {
        if (f.help !== undefined) throw new PromParseError(n, `second HELP for ${name}`);
        f.help = unescapeHelp(rest, n);
      } else {
        if (f.samples.length > 0) throw new PromParseError(n, `TYPE for ${name} after its samples`);
        if (typed.has(name!)) throw new PromParseError(n, `second TYPE for ${name}`);
        const t = rest.trim() as MetricType;
        if (!TYPES.has(t)) throw new PromParseError(n, `unknown type ${JSON.stringify(rest)}`);
        f.type = t;
        typed.add(name!);
      }
      return;
    }
    const sample = parseSample(line, n);
    const f = family(familyOf(sample.name, families), n);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    if (series.has(key)) throw new PromParseError(n, `duplicate series ${sample.name}${JSON.stringify(sample.labels)}`);
    series.add(key);
    checkSampleName(f, sample, n);
    f.samples.push(sample);
  });

  for (const f of families.values()) checkFamily(f);
  return families;
}

/** The family a sample belongs to: histogram/summary samples carry suffixes. */
function familyOf(sampleName: string, families: Map<string, MetricFamily>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue;
    const base = sampleName.slice(0, -suffix.length);
    const f = families.get(base);
    if (f && (f.type === 'histogram' || f.type === 'summary')) return base;
  }
  return sampleName;
}

function checkSampleName(f: MetricFamily, s: Sample, n: number): void {
  if (f.type === 'histogram') {
    if (s.name === `${f.name}_bucket`) {
      if (s.labels.le === undefined) throw new PromParseError(n, `${s.name} without an le label`);
      return;
    }
    if (s.name === `${f.name}_sum` || s.name === `${f.name}_count`) return;
    throw new PromParseError(n, `${s.name} is not a sample name of histogram ${f.name}`);
  }
  if (f.type === 'summary') {
    if (s.name === f.name && s.labels.quantile === undefined) throw new PromParseError(n, `${s.name} without a quantile label`);
    return;
  }
  if (s.name !== f.name) throw new PromParseError(n, `${s.name} does not belong to ${f.name}`);
  if (f.type === 'counter' && !(s.value >= 0)) throw new PromParseError(n, `counter ${s.name} is ${s.value}`);
}

/** Histogram consistency per label set (minus le): cumulative buckets, +Inf present and equal to _count. */
function checkFamily(f: MetricFamily): void {
  if (f.type !== 'histogram') return;
  const groups = new Map<string, { buckets: Array<{ le: number; v: number }>; count?: number; sum?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)));
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { buckets: [] }));
    if (s.name.endsWith('_bucket')) g.buckets.push({ le: parseValue(le!, 0), v: s.value });
    else if (s.name.endsWith('_count')) g.count = s.value;
    else g.sum = s.value;
  }
  for (const [key, g] of groups) {
    const where = `${f.name}${key}`;
    if (g.count === undefined || g.sum === undefined) throw new Error(`histogram ${where} lacks _count or _sum`);
    const sorted = [...g.buckets].sort((a, b) => a.le - b.le);
    if (sorted.at(-1)?.le !== Infinity) throw new Error(`histogram ${where} has no +Inf bucket`);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]!.v < sorted[i - 1]!.v) throw new Error(`histogram ${where} buckets are not cumulative at le=${sorted[i]!.le}`);
    }
    if (sorted.at(-1)!.v !== g.count) throw new Error(`histogram ${where}: +Inf bucket ${sorted.at(-1)!.v} != _count ${g.count}`);
  }
}

function parseSample(line: string, n: number): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!m) throw new PromParseError(n, `bad sample line ${JSON.stringify(line)}`);
  const name = m[1]!;
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === '{') {
    pos++;
    for (;;) {
      while (line[pos] === ' ') pos++;
      if (line[pos] === '}') {
        pos++;
        break;
      }
      const lm = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(line.slice(pos));
      if (!lm || !LABEL_NAME.test(lm[1]!)) throw new PromParseError(n, `bad label at column ${pos + 1}`);
      const label = lm[1]!;
      if (label in labels) throw new PromParseError(n, `label ${label} given twice`);
      pos += lm[0].length;
      let value = '';
      for (;;) {
        const c = line[pos];
        if (c === undefined) throw new PromParseError(n, `unterminated value of label ${label}`);
        pos++;
        if (c === '"') break;
        if (c === '\\') {
          const e = line[pos++];
          if (e === '\\') value += '\\';
          else if (e === '"') value += '"';
          else if (e === 'n') value += '\n';
          else throw new PromParseError(n, `bad escape \\${e ?? ''} in label ${label}`);
        } else {
          value += c;
        }
      }
      labels[label] = value;
      while (line[pos] === ' ') pos++;
      if (line[pos] === ',') pos++;
      else if (line[pos] !== '}') throw new PromParseError(n, `expected , or } after label ${label}`);
    }
  }
  if (line[pos] !== ' ' && line[pos] !== '\t') throw new PromParseError(n, `expected a space before the value of ${name}`);
  const parts = line.slice(pos).trim().split(/\s+/);
  if (parts.length < 1 || parts.length > 2) throw new PromParseError(n, `expected "value [timestamp]" for ${name}`);
  const value = parseValue(parts[0]!, n);
  let timestamp: number | undefined;
  if (parts[1] !== undefined) {
    if (!/^-?\d+$/.test(parts[1])) throw new PromParseError(n, `bad timestamp ${parts[1]}`);
    timestamp = Number(parts[1]);
  }
  return timestamp === undefined ? { name, labels, value } : { name, labels, value, timestamp };
}

function parseValue(text: string, n: number): number {
  // Prometheus parses values with Go's ParseFloat: NaN and Inf in any letter case, with an optional sign.
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  if (special) return special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new PromParseError(n, `bad value ${JSON.stringify(text)}`);
  return Number(text);
}

function unescapeHelp(text: string, n: number): string {
  return text.replace(/\\(.?)/g, (_, e: string) => {
    if (e === '\\') return '\\';
    if (e === 'n') return '\n';
    throw new PromParseError(n, `bad escape \\${e} in HELP`);
  });
}

/** Sum of a family's samples named `sampleName` whose labels include `match`. */
export function sumOf(families: Map<string, MetricFamily>, family: string, match: Record<string, string> = {}, sampleName = family): number {
  const f = families.get(family);
  if (!f) return 0;
  return f.samples.filter((s) => s.name === sampleName && Object.entries(match).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}
