// CRI calls by method, from each agent's own Prometheus histogram, diffed over a run: how many
// runtime calls the agent made and how long they took in sum. natslet's runtime-adapter
// exports natslet_cri_call_duration_seconds{method}; the kubelet
// kubelet_runtime_operations_duration_seconds{operation_type}.
import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet, type RequestOptions } from "node:https";

export type CriCalls = Record<string, { count: number; seconds: number }>;

export const NATSLET_CRI_HISTOGRAM = { name: "natslet_cri_call_duration_seconds", label: "method" } as const;
export const KUBELET_CRI_HISTOGRAM = { name: "kubelet_runtime_operations_duration_seconds", label: "operation_type" } as const;

/** _count and _sum of one histogram, by one label. */
export function parseHistogram(text: string, histogram: { name: string; label: string }): CriCalls {
  const out: CriCalls = {};
  const re = new RegExp(`^${histogram.name}_(count|sum)\\{([^}]*)\\} (\\S+)`, "gm");
  for (const m of text.matchAll(re)) {
    const label = new RegExp(`${histogram.label}="([^"]*)"`).exec(m[2] ?? "")?.[1];
    if (label === undefined) continue;
    const entry = (out[label] ??= { count: 0, seconds: 0 });
    if (m[1] === "count") entry.count += Number(m[3]);
    else entry.seconds += Number(m[3]);
  }
  return out;
}

/** after − before, methods without calls in between left out. */
export function diffCalls(before: CriCalls, after: CriCalls): CriCalls {
  const out: CriCalls = {};
  for (const [method, a] of Object.entries(after)) {
    const b = before[method] ?? { count: 0, seconds: 0 };
    const count = a.count - b.count;
    if (count > 0) out[method] = { count, seconds: Math.round((a.seconds - b.seconds) * 100) / 100 };
  }
  return out;
}

export interface EventLoopLag {
  p99Ms: number;
  maxMs: number;
}

/**
 * A Node service's event-loop delay (prom-client's default metrics). prom-client resets the
 * underlying histogram on every scrape, so a scrape after a run covers just that run.
 */
export function parseEventLoopLag(text: string): EventLoopLag {
  const gauge = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, "m").exec(text)?.[1] ?? Number.NaN);
  return {
    p99Ms: Math.round(gauge("nodejs_eventloop_lag_p99_seconds") * 1000),
    maxMs: Math.round(gauge("nodejs_eventloop_lag_max_seconds") * 1000),
  };
}

/** GETs a metrics endpoint; `tls` for the kubelet's HTTPS port (client cert, self-signed serving cert). */
export function fetchText(url: string, tls?: Pick<RequestOptions, "cert" | "key">): Promise<string> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: HTTP ${res.statusCode ?? "?"}`))));
      res.on("error", reject);
    };
    const req = tls
      ? httpsGet(url, { ...tls, rejectUnauthorized: false }, onResponse)
      : httpGet(url, onResponse);
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`${url}: timed out`)));
  });
}
