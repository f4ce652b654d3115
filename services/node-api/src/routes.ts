// The paths the API server (and metrics-server, and curl) call on a node, as the kubelet's
// server.go serves them, and the authorisation attributes each one needs (kubelet
// server/auth.go: the nodes/<subresource> a request is checked against, the verb from the
// HTTP method). Pure: parsed from the method and URL alone.

export type Route =
  | { kind: "containerLogs"; namespace: string; pod: string; container: string }
  | { kind: "exec" | "attach"; namespace: string; pod: string; uid?: string; container: string }
  | { kind: "portForward"; namespace: string; pod: string; uid?: string }
  | { kind: "pods" | "runningPods" | "healthz" | "statsSummary" | "metricsResource" }
  | { kind: "notFound" };

/** Parses a request path (without the query). Segments are URL-decoded; empty ones are refused. */
export function routeOf(pathname: string): Route {
  let parts: string[];
  try {
    parts = pathname.split("/").slice(1).map((p) => decodeURIComponent(p));
  } catch {
    return { kind: "notFound" };
  }
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop(); // a trailing slash
  const [first, ...rest] = parts;
  const head = first ?? "";
  if (rest.some((p) => p === "")) return { kind: "notFound" };
  switch (head) {
    case "containerLogs":
      if (rest.length !== 3) break;
      return { kind: "containerLogs", namespace: rest[0]!, pod: rest[1]!, container: rest[2]! };
    case "exec":
    case "attach":
      if (rest.length === 3) return { kind: head, namespace: rest[0]!, pod: rest[1]!, container: rest[2]! };
      if (rest.length === 4) return { kind: head, namespace: rest[0]!, pod: rest[1]!, uid: rest[2]!, container: rest[3]! };
      break;
    case "portForward":
      if (rest.length === 2) return { kind: "portForward", namespace: rest[0]!, pod: rest[1]! };
      if (rest.length === 3) return { kind: "portForward", namespace: rest[0]!, pod: rest[1]!, uid: rest[2]! };
      break;
    case "pods":
      if (rest.length === 0) return { kind: "pods" };
      break;
    case "runningpods":
      if (rest.length === 0) return { kind: "runningPods" };
      break;
    case "healthz":
      if (rest.length === 0) return { kind: "healthz" };
      break;
    case "stats":
      if (rest.length === 1 && rest[0] === "summary") return { kind: "statsSummary" };
      break;
    case "metrics":
      if (rest.length === 1 && rest[0] === "resource") return { kind: "metricsResource" };
      break;
  }
  return { kind: "notFound" };
}

/** kubelet server/auth.go: the API verb of an HTTP method ("" for others: never allowed). */
export function verbOf(method: string): string {
  switch (method.toUpperCase()) {
    case "POST":
      return "create";
    case "GET":
    case "HEAD":
      return "get";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return "delete";
    default:
      return "";
  }
}

/**
 * The verb a request is authorised with. Exec, attach and port-forward run code in (or open
 * connections into) a pod, whatever the method: the SPDY clients POST, but WebSocket clients
 * must GET, which the method table would make a mere `get nodes/proxy` — a read-only
 * nodes/proxy grant then would open a shell. So these routes (and any upgrade request) need
 * `create`. The API server calls with its kubelet-client identity, which may do everything.
 */
export function requestVerb(method: string, route: Route, upgrade: boolean): string {
  if (upgrade || route.kind === "exec" || route.kind === "attach" || route.kind === "portForward") return "create";
  return verbOf(method);
}

/**
 * The nodes subresources to check, in order; the first one allowed wins. kubelet server/auth.go:
 * /stats/* → stats, /metrics* → metrics, /logs/* → log; with fine-grained authorisation (on by
 * default since 1.33) /pods and /healthz are checked as nodes/pods and nodes/healthz first, with
 * nodes/proxy as the fallback; everything else (exec, attach, portForward, containerLogs) is
 * nodes/proxy.
 */
export function subresourcesOf(pathname: string): string[] {
  const under = (prefix: string) => pathname === prefix || pathname.startsWith(`${prefix}/`);
  if (under("/stats")) return ["stats"];
  if (under("/metrics")) return ["metrics"];
  if (under("/logs")) return ["log"];
  if (under("/pods")) return ["pods", "proxy"];
  if (under("/healthz")) return ["healthz", "proxy"];
  if (under("/configz")) return ["configz", "proxy"];
  return ["proxy"];
}

/** Query flags as the kubelet reads them ("1" for exec's input/output/error/tty; "true" too). */
export function flag(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  return v === "1" || v?.toLowerCase() === "true";
}

export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * kubelet server/remotecommand: exec and attach options from the query. With a TTY there is no
 * separate stderr (the terminal merges it). At least one stream must be asked for.
 */
export function streamOptionsOf(query: URLSearchParams): StreamOptions | { error: string } {
  const tty = flag(query, "tty");
  const opts = { stdin: flag(query, "input"), stdout: flag(query, "output"), stderr: flag(query, "error") && !tty, tty };
  if (!opts.stdin && !opts.stdout && !opts.stderr) return { error: "you must specify at least 1 of stdin, stdout, stderr" };
  return opts;
}

/** kubelet getPortForward: the optional `port` query values (websocket clients name them up front). */
export function portsOf(query: URLSearchParams): number[] | { error: string } {
  const ports: number[] = [];
  for (const raw of query.getAll("port")) {
    for (const p of raw.split(",")) {
      const n = Number(p);
      if (!Number.isInteger(n) || n < 1 || n > 65535) return { error: `invalid port ${JSON.stringify(p)}` };
      ports.push(n);
    }
  }
  return ports;
}
