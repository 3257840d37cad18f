/**
 * Prometheus metrics kept by hand: a few counters and one latency histogram are all the
 * gateway needs, and the text exposition format is small. Per process: each instance is
 * scraped on its own.
 */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export interface Metrics {
  /** Records one finished request. `route` is the pattern, never the raw path (bounded cardinality). */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** Counts a refusal by reason (`auth`, `scope`, `csrf`, `ratelimit`, `input`, `encryption`, ...). */
  refusal(reason: string): void;
  /** Counts an upstream call by outcome. */
  upstream(outcome: 'ok' | 'error' | 'timeout'): void;
  setGauge(name: string, help: string, value: number): void;
  /** Prometheus text exposition format 0.0.4. */
  render(): string;
}

export function createMetrics(): Metrics {
  const requests = new Map<string, number>();
  const latency = new Map<string, Histogram>();
  const refusals = new Map<string, number>();
  const upstreamCalls = new Map<string, number>();
  const gauges = new Map<string, { help: string; value: number }>();
  const started = Date.now();

  return {
    observeRequest(method, route, status, seconds) {
      const key = `method="${method}",route="${escapeLabel(route)}",status="${status}"`;
      requests.set(key, (requests.get(key) ?? 0) + 1);
      const lkey = `route="${escapeLabel(route)}"`;
      let h = latency.get(lkey);
      if (!h) latency.set(lkey, (h = { counts: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 }));
      for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]!) h.counts[i]!++;
      h.sum += seconds;
      h.count++;
    },
    refusal(reason) {
      const key = `reason="${escapeLabel(reason)}"`;
      refusals.set(key, (refusals.get(key) ?? 0) + 1);
    },
    upstream(outcome) {
      const key = `outcome="${outcome}"`;
      upstreamCalls.set(key, (upstreamCalls.get(key) ?? 0) + 1);
    },
    setGauge(name, help, value) {
      gauges.set(name, { help, value });
    },
    render() {
      const lines: string[] = [];
      counter(lines, 'webmcp_http_requests_total', 'HTTP requests by method, route and status.', requests);
      lines.push('# HELP webmcp_http_request_duration_seconds Request latency by route.');
      lines.push('# TYPE webmcp_http_request_duration_seconds histogram');
      for (const [labels, h] of latency) {
        LATENCY_BUCKETS.forEach((le, i) => lines.push(`webmcp_http_request_duration_seconds_bucket{${labels},le="${le}"} ${h.counts[i]}`));
        lines.push(`webmcp_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${h.count}`);
        lines.push(`webmcp_http_request_duration_seconds_sum{${labels}} ${h.sum}`);
        lines.push(`webmcp_http_request_duration_seconds_count{${labels}} ${h.count}`);
      }
      counter(lines, 'webmcp_refusals_total', 'Requests refused, by reason.', refusals);
      counter(lines, 'webmcp_upstream_requests_total', 'Action calls forwarded upstream, by outcome.', upstreamCalls);
      for (const [name, g] of gauges) {
        lines.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`, `${name} ${g.value}`);
      }
      lines.push('# HELP webmcp_process_uptime_seconds Seconds since the gateway started.');
      lines.push('# TYPE webmcp_process_uptime_seconds gauge');
      lines.push(`webmcp_process_uptime_seconds ${(Date.now() - started) / 1000}`);
      return lines.join('\n') + '\n';
    },
  };
}

function counter(lines: string[], name: string, help: string, values: Map<string, number>): void {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
  for (const [labels, value] of values) lines.push(`${name}{${labels}} ${value}`);
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
