// PromQL helpers for the monitoring test: the queries of Grafana dashboards and of Prometheus's loaded rules, Grafana
// variables turned into plain PromQL, the metric names an expression reads, and alert conditions made `bool`.

/** One PromQL expression and where it came from (for failure messages). */
export interface PanelQuery {
  readonly where: string;
  readonly expr: string;
}

interface GrafanaPanel {
  title?: string;
  type?: string;
  targets?: Array<{ expr?: string; refId?: string; hide?: boolean }>;
  panels?: GrafanaPanel[];
}

interface GrafanaDashboard {
  title?: string;
  panels?: GrafanaPanel[];
  templating?: { list?: Array<{ name: string; type: string; query?: string | { query?: string } }> };
}

/**
 * Every PromQL expression of a dashboard: panel targets (rows' nested panels included) and the metric queries of
 * `label_values(<query>, <label>)` template variables.
 */
export function dashboardQueries(file: string, dashboard: unknown): PanelQuery[] {
  const d = dashboard as GrafanaDashboard;
  const out: PanelQuery[] = [];
  const walk = (panels: GrafanaPanel[] | undefined) => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? []) if (t.expr && !t.hide) out.push({ where: `${file} › ${p.title ?? p.type} › ${t.refId ?? '?'}`, expr: t.expr });
      walk(p.panels);
    }
  };
  walk(d.panels);
  for (const v of d.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const q = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
    const m = /^label_values\((.+),\s*[A-Za-z_]\w*\)$/.exec(q.trim());
    if (m) out.push({ where: `${file} › variable $${v.name}`, expr: m[1]! });
  }
  return out;
}

/**
 * Grafana's interval variables become one minute (two 1 s scrapes fit in it); dashboard variables (`$job`,
 * `${instance}`, …) become a regex that matches any value, as "All" does.
 */
export function grafanaToPromQL(expr: string): string {
  return expr
    .replace(/\$\{?__(rate_interval|interval|range)\}?/g, '1m')
    .replace(/\$\{?__range_s\}?/g, '60')
    .replace(/\$\{[A-Za-z_]\w*(:\w+)?\}|\$[A-Za-z_]\w*/g, '.+');
}

const NOT_METRICS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'inf', 'nan']);

/** Metric names an expression selects (identifiers that are not functions, keywords, labels, numbers or durations). */
export function metricNames(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of s.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = m[0];
    const before = s[m.index - 1] ?? ' ';
    if (/[0-9.]/.test(before)) continue; // 1e9, 5m
    if (s.slice(m.index + name.length).trimStart().startsWith('(')) continue; // a function or aggregation
    if (NOT_METRICS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

/**
 * The alert expression with `bool` after each comparison, so it returns its series whether the alert would fire or
 * not (`up == 0` returns nothing while the gateway is up; `up == bool 0` returns 0).
 */
export function withBool(expr: string): string {
  let out = '';
  let braces = 0;
  let quote: string | null = null;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    out += c;
    if (quote) {
      if (c === '\\') out += expr[++i] ?? '';
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '{') braces++;
    else if (c === '}') braces--;
    else if (braces === 0 && /[=!<>]/.test(c)) {
      const two = expr.slice(i, i + 2);
      const op = ['==', '!=', '>=', '<='].includes(two) ? two : c === '<' || c === '>' ? c : null;
      if (!op) continue;
      if (op.length === 2) out += expr[++i];
      if (!/^\s*bool\b/.test(expr.slice(i + 1))) out += /^\s/.test(expr[i + 1] ?? '') ? ' bool' : ' bool ';
    }
  }
  return out;
}

interface RulesResponse {
  data: { groups: Array<{ name: string; file: string; rules: Array<{ name: string; query: string; type: string }> }> };
}

/** The alerting rules Prometheus loaded (GET /api/v1/rules), with their expressions. */
export function ruleQueries(body: RulesResponse): PanelQuery[] {
  return body.data.groups.flatMap((g) => g.rules.filter((r) => r.type === 'alerting').map((r) => ({ where: `${g.name} › ${r.name}`, expr: r.query })));
}
