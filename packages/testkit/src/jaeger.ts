// A real Jaeger (v2 all-in-one, built from its Go module) with in-memory storage: OTLP/HTTP in,
// the query HTTP API out. Every port is a free loopback one, so tests and `make up` can run
// beside each other (the stock config binds fixed ports such as 4318 and 16686).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./net.js";
import { testBinary } from "./paths.js";
import { ManagedProcess } from "./process.js";
import { makeTempDir, removeDir } from "./tempdir.js";

export interface Jaeger {
  /** OTLP/HTTP base URL: what OTEL_EXPORTER_OTLP_ENDPOINT takes. */
  readonly otlpEndpoint: string;
  /** UI and query API base URL (…/api/traces, …/api/services). */
  readonly queryUrl: string;
  readonly process: ManagedProcess;
  /** Traces of `service` from the query API, newest first (tags: span attributes to match). */
  traces(service: string, opts?: { tags?: Record<string, string>; limit?: number }): Promise<JaegerTrace[]>;
  stop(): Promise<void>;
}

/** The query API's JSON shape (jaeger-query /api/traces), the fields tests read. */
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  processID: string;
  references: { refType: string; traceID: string; spanID: string }[];
  tags: { key: string; type: string; value: unknown }[];
  warnings?: string[] | null;
}

export interface JaegerOptions {
  /** Fixed ports (make up uses the usual 4318 / 16686); default: free ones. */
  otlpHttpPort?: number;
  queryPort?: number;
  /** Listen address; default 127.0.0.1. */
  host?: string;
}

export async function startJaeger(opts: JaegerOptions = {}): Promise<Jaeger> {
  const dir = makeTempDir("jaeger");
  const host = opts.host ?? "127.0.0.1";
  const otlpPort = opts.otlpHttpPort ?? (await freePort());
  const queryPort = opts.queryPort ?? (await freePort());
  const queryGrpcPort = await freePort();
  const healthPort = await freePort();
  const config = join(dir, "jaeger.yaml");
  writeFileSync(config, jaegerConfig({ host, otlpPort, queryPort, queryGrpcPort, healthPort }));
  const proc = ManagedProcess.start("jaeger", testBinary("jaeger"), ["--config", config], { logFile: join(dir, "jaeger.log") });
  const queryUrl = `http://${host}:${queryPort}`;
  try {
    await proc.waitUntil(async () => (await fetch(`http://${host}:${healthPort}/status`)).ok, "Jaeger to be healthy");
    await proc.waitUntil(async () => (await fetch(`${queryUrl}/api/services`)).ok, "Jaeger's query API");
  } catch (err) {
    await proc.stop();
    await removeDir(dir);
    throw err;
  }
  return {
    otlpEndpoint: `http://${host}:${otlpPort}`,
    queryUrl,
    process: proc,
    async traces(service, q = {}) {
      const params = new URLSearchParams({ service, limit: String(q.limit ?? 100), lookback: "1h" });
      if (q.tags) params.set("tags", JSON.stringify(q.tags));
      const res = await fetch(`${queryUrl}/api/traces?${params.toString()}`);
      // The query API answers 404 for a service it has not seen any span of yet.
      if (res.status === 404) return [];
      if (!res.ok) throw new Error(`Jaeger query ${res.status}: ${await res.text()}`);
      const body = (await res.json()) as { data: JaegerTrace[] | null };
      return body.data ?? [];
    },
    async stop() {
      await proc.stop();
      await removeDir(dir);
    },
  };
}

/** A minimal all-in-one: OTLP/HTTP receiver → memory storage ← query API; no other listener. */
function jaegerConfig(p: { host: string; otlpPort: number; queryPort: number; queryGrpcPort: number; healthPort: number }): string {
  return `service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    resource:
      service.name: jaeger
    metrics:
      level: none
    logs:
      level: warn
extensions:
  healthcheckv2:
    use_v2: true
    http:
      endpoint: ${p.host}:${p.healthPort}
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: ${p.host}:${p.queryPort}
    grpc:
      endpoint: ${p.host}:${p.queryGrpcPort}
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
receivers:
  otlp:
    protocols:
      http:
        endpoint: ${p.host}:${p.otlpPort}
processors:
  batch:
    timeout: 200ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`;
}
