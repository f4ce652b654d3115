// The node-api without its process: the HTTPS server the API server calls for `kubectl logs`,
// `exec`, `attach` and `port-forward`, and that metrics-server scrapes. Every request is
// authenticated and authorised first (auth.ts), then routed (routes.ts).
import { once } from "node:events";
import { createServer as createHttpsServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import type { NatsConnection } from "@nats-io/transport-node";
import { RuntimeClient } from "@natslet/bus";
import { NatsletError, type ObservedContainer, type ObservedPod } from "@natslet/contracts";
import type { Logger } from "@natslet/telemetry";
import { Counter, Gauge, type Registry } from "prom-client";
import { Auth, forbiddenMessage, type ReviewApi } from "./auth.js";
import { parseLogOptions } from "./log-options.js";
import { logTarget, restartPolicyOf } from "./log-target.js";
import { openWatchers, streamContainerLog } from "./log-stream.js";
import { readNodeSample } from "./node-stats.js";
import { portsOf, requestVerb, routeOf, streamOptionsOf, subresourcesOf, type Route } from "./routes.js";
import { containersNamed } from "@natslet/core";
import { ContainerExits, PodIndex } from "./runtime.js";
import { CpuRates, resourceMetricsText, summarize, type Summary } from "./stats.js";
import { proxyUpgrade } from "./stream-proxy.js";

export interface NodeApiOptions {
  nodeName: string;
  address: string;
  port: number;
  cert: Buffer;
  key: Buffer;
  /** PEM of the client CAs; without it only tokens (and anonymous, if enabled) authenticate. */
  clientCa?: Buffer;
  anonymous: boolean;
  podLogsDir: string;
}

export interface NodeApiDeps {
  nc: NatsConnection;
  reviews: ReviewApi;
  log: Logger;
  registry: Registry;
}

export interface NodeApi {
  readonly port: number;
  /** Log streams and upgraded connections open now. */
  openStreams(): number;
  stop(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Thrown when the client went away while the request waited: nothing is answered. */
class ClientGone extends Error {
  constructor() {
    super("the client went away");
  }
}

/** How often a follow asks the runtime whether its container still runs, besides the PLEG events. */
const FOLLOW_RECHECK_MS = 10_000;

type StreamKind = "logs" | "exec" | "attach" | "portForward";

/** A request's URL and route, parsed once when it arrives. */
interface Target {
  url: URL;
  route: Route;
}

function targetOf(req: IncomingMessage): Target {
  try {
    const url = new URL(req.url ?? "/", "https://node");
    return { url, route: routeOf(url.pathname) };
  } catch {
    // An absolute-form target that is no URL ("GET http://[x/"): a 404 like any unknown path,
    // not an exception thrown out of the server's event handler (which ended the process).
    return { url: new URL("https://node/"), route: { kind: "notFound" } };
  }
}

export async function startNodeApi(opts: NodeApiOptions, deps: NodeApiDeps): Promise<NodeApi> {
  const { log } = deps;
  // Short: a person waits at the other end of every request.
  const runtime = new RuntimeClient(deps.nc, opts.nodeName, { timeoutMs: 30_000 });
  const pods = new PodIndex();
  await pods.start(deps.nc, opts.nodeName, log);
  const exits = new ContainerExits();
  exits.start(deps.nc, opts.nodeName);
  const auth = new Auth(deps.reviews, opts.nodeName, { anonymous: opts.anonymous });
  const rates = new CpuRates();

  const requests = new Counter({
    name: "natslet_node_api_requests_total",
    help: "Requests to the node API by route and HTTP status",
    labelNames: ["route", "code"],
    registers: [deps.registry],
  });
  const streams = new Map<StreamKind, number>();
  new Gauge({
    name: "natslet_node_api_open_streams",
    help: "Log streams and upgraded exec/attach/port-forward connections open now",
    labelNames: ["kind"],
    registers: [deps.registry],
    collect() {
      for (const kind of ["logs", "exec", "attach", "portForward"] as const) this.set({ kind }, streams.get(kind) ?? 0);
    },
  });
  new Gauge({
    name: "natslet_node_api_log_watchers",
    help: "File watchers held by log followers",
    registers: [deps.registry],
    collect() {
      this.set(openWatchers.count);
    },
  });
  const track = async <T>(kind: StreamKind, work: () => Promise<T>): Promise<T> => {
    streams.set(kind, (streams.get(kind) ?? 0) + 1);
    try {
      return await work();
    } finally {
      streams.set(kind, (streams.get(kind) ?? 1) - 1);
    }
  };

  /** The runtime's view of the pod `namespace/name`, or 404. */
  const observedPod = async (namespace: string, name: string, uid?: string): Promise<ObservedPod> => {
    let podUid = uid ?? pods.uidOf(namespace, name);
    if (podUid === undefined) {
      // Not (or no longer) in the desired state: the runtime may still have it (a pod being deleted).
      const all = await runtime.call("ListPods", {});
      podUid = Object.values(all.pods).find((p) => p.namespace === namespace && p.name === name)?.uid;
    }
    if (podUid === undefined) throw new HttpError(404, `pod "${namespace}/${name}" not found`);
    const pod = await runtime.call("GetPod", { uid: podUid });
    // A UID in the path names a pod only together with its namespace and name (kubelet
    // GetPodByFullName + UID check): another pod's UID must not reach that pod's containers.
    if (pod.namespace !== namespace || pod.name !== name) throw new HttpError(404, `pod "${namespace}/${name}" with UID ${podUid} not found`);
    return pod;
  };

  const container = (pod: ObservedPod, name: string, ns: string, podName: string): ObservedContainer => {
    const c = containersNamed(pod, name)[0];
    if (c === undefined) {
      const spec = pods.pod(pod.uid)?.spec;
      const known = spec === undefined || [...spec.containers, ...(spec.initContainers ?? [])].some((s) => s.name === name);
      if (!known) throw new HttpError(400, `container ${name} is not valid for pod ${podName}`);
      throw new HttpError(400, `container "${name}" in pod "${podName}" is waiting to start: ContainerCreating`);
    }
    if (c.state !== "running") throw new HttpError(400, `container ${name} is not running in pod ${ns}/${podName}`);
    return c;
  };

  const containerLogs = async (route: Extract<Route, { kind: "containerLogs" }>, res: ServerResponse, query: URLSearchParams, signal: AbortSignal) => {
    const options = parseLogOptions(query, Date.now());
    if ("error" in options) throw new HttpError(400, options.error);
    const pod = await observedPod(route.namespace, route.pod);
    // The client may have gone during the runtime calls: its 'close' has fired already.
    if (signal.aborted) throw new ClientGone();
    const spec = pods.pod(pod.uid)?.spec;
    const target = logTarget(containersNamed(pod, route.container), {
      previous: options.previous,
      policy: spec === undefined ? undefined : restartPolicyOf(spec, route.container),
      container: route.container,
      pod: route.pod,
    });
    if (target === undefined) {
      if (options.previous) throw new HttpError(400, `previous terminated container "${route.container}" in pod "${route.pod}" not found`);
      container(pod, route.container, route.namespace, route.pod); // throws the kubelet's message
      throw new HttpError(400, `container "${route.container}" in pod "${route.pod}" not found`);
    }
    if ("error" in target) throw new HttpError(400, target.error);
    const chosen = target.container;
    const logPath = chosen.logPath ?? join(opts.podLogsDir, `${route.namespace}_${route.pod}_${pod.uid}`, route.container, `${chosen.attempt}.log`);
    res.writeHead(200, { "Content-Type": "text/plain", "Cache-Control": "no-cache" });
    const write = async (chunk: Buffer): Promise<boolean> => {
      if (signal.aborted) return false;
      if (res.write(chunk)) return true;
      try {
        // With the signal, once() removes its listeners whichever comes first (no leak per write).
        await once(res, "drain", { signal });
        return true;
      } catch {
        return false; // AbortError: the client went away while its buffer was full
      }
    };
    let running = chosen.state === "running" && !options.previous;
    // The PLEG's ContainerDied event ends a follow at once; this re-check ends it even if that
    // event was missed (a NATS reconnect), as the kubelet re-checks the container's state.
    const recheck = options.follow && running
      ? setInterval(() => {
          runtime.call("GetPod", { uid: pod.uid }).then(
            (p) => (running = p.containers.some((c) => c.id === chosen.id && c.state === "running")),
            (err: unknown) => {
              // The pod is gone from the runtime: so is the container. Otherwise the
              // runtime-adapter is away: keep following, try again later.
              if (err instanceof NatsletError && err.code === "NotFound") running = false;
            },
          );
        }, FOLLOW_RECHECK_MS)
      : undefined;
    try {
      await track("logs", () => streamContainerLog({ logPath, options, signal, write, running: () => running && !exits.isDead(chosen.id) }));
    } finally {
      clearInterval(recheck);
    }
    res.end();
  };

  const summary = async (): Promise<{ summary: Summary; scrapeError: boolean }> => {
    const node = await readNodeSample(opts.podLogsDir);
    try {
      const stats = await runtime.call("ListStats", {});
      return { summary: summarize({ nodeName: opts.nodeName, node, containers: stats.containers, pods: stats.pods }, rates), scrapeError: false };
    } catch (err) {
      log.warn({ err }, "container stats unavailable");
      return { summary: summarize({ nodeName: opts.nodeName, node, containers: [], pods: [] }, rates), scrapeError: true };
    }
  };

  const json = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
  };

  /** Authenticates and authorises; returns an error status and text, or undefined when allowed. */
  const admit = async (req: IncomingMessage, { url, route }: Target, upgrade: boolean): Promise<{ status: number; text: string } | undefined> => {
    const who = await auth.authenticate(req);
    if ("error" in who) return { status: 401, text: "Unauthorized\n" };
    const verb = requestVerb(req.method ?? "", route, upgrade);
    const subresources = subresourcesOf(url.pathname);
    const decision = await auth.authorize(who.user, verb, subresources);
    if (!decision.allowed) {
      log.debug({ user: who.user.name, verb, subresources, reason: decision.reason }, "forbidden");
      return { status: 403, text: forbiddenMessage(who.user, verb, subresources) };
    }
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, target: Target, signal: AbortSignal): Promise<void> => {
    const { url, route } = target;
    const denied = await admit(req, target, false);
    if (denied) {
      res.writeHead(denied.status, { "Content-Type": "text/plain" }).end(denied.text);
      return;
    }
    const get = req.method === "GET" || req.method === "HEAD";
    switch (route.kind) {
      case "healthz":
        res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
        return;
      case "pods":
        if (!get) break;
        json(res, { kind: "PodList", apiVersion: "v1", metadata: {}, items: pods.pods() });
        return;
      case "runningPods": {
        if (!get) break;
        const all = await runtime.call("ListPods", {});
        const items = Object.values(all.pods)
          .filter((p) => p.containers.some((c) => c.state === "running"))
          .map((p) => ({
            metadata: { name: p.name, namespace: p.namespace, uid: p.uid },
            spec: { containers: p.containers.filter((c) => c.state === "running").map((c) => ({ name: c.name, image: c.image })) },
          }));
        json(res, { kind: "PodList", apiVersion: "v1", metadata: {}, items });
        return;
      }
      case "statsSummary":
        if (!get) break;
        json(res, (await summary()).summary);
        return;
      case "metricsResource": {
        if (!get) break;
        const s = await summary();
        res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" }).end(resourceMetricsText(s.summary, s.scrapeError));
        return;
      }
      case "containerLogs":
        if (!get) break;
        await containerLogs(route, res, url.searchParams, signal);
        return;
      case "exec":
      case "attach":
      case "portForward":
        // Streaming needs an upgraded connection (the 'upgrade' event below).
        throw new HttpError(400, "Upgrade request required");
      case "notFound":
        throw new HttpError(404, "404 page not found");
    }
    throw new HttpError(405, "method not allowed");
  };

  /** The CRI streaming URL for an exec/attach/port-forward request. */
  const streamUrl = async (route: Route, query: URLSearchParams, signal: AbortSignal): Promise<URL> => {
    // Each runtime call may take long: a client gone meanwhile must not start a session in the runtime.
    const stillThere = () => {
      if (signal.aborted) throw new ClientGone();
    };
    if (route.kind === "exec" || route.kind === "attach") {
      const streamOpts = streamOptionsOf(query);
      if ("error" in streamOpts) throw new HttpError(400, streamOpts.error);
      const pod = await observedPod(route.namespace, route.pod, route.uid);
      const c = container(pod, route.container, route.namespace, route.pod);
      stillThere();
      if (route.kind === "exec") {
        const cmd = query.getAll("command");
        if (cmd.length === 0) throw new HttpError(400, "missing command");
        return new URL((await runtime.call("Exec", { containerId: c.id, cmd, ...streamOpts })).url);
      }
      return new URL((await runtime.call("Attach", { containerId: c.id, ...streamOpts })).url);
    }
    if (route.kind === "portForward") {
      const ports = portsOf(query);
      if ("error" in ports) throw new HttpError(400, ports.error);
      const pod = await observedPod(route.namespace, route.pod, route.uid);
      const sandbox = [...pod.sandboxes].reverse().find((s) => s.state === "ready");
      if (sandbox === undefined) throw new HttpError(400, `pod ${route.namespace}/${route.pod} has no ready sandbox`);
      stillThere();
      return new URL((await runtime.call("PortForward", { sandboxId: sandbox.id, ports })).url);
    }
    throw new HttpError(404, "404 page not found");
  };

  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer, target: Target, signal: AbortSignal): Promise<void> => {
    const { url, route } = target;
    const denied = await admit(req, target, true);
    if (denied) throw new HttpError(denied.status, denied.text);
    if (signal.aborted) throw new ClientGone();
    const backend = await streamUrl(route, url.searchParams, signal);
    // The runtime's session exists now but nobody dials it: it expires in the runtime by itself.
    if (signal.aborted) throw new ClientGone();
    const kind = route.kind as StreamKind;
    log.debug({ route: kind, path: url.pathname }, "proxying stream to the runtime");
    requests.inc({ route: kind, code: "101" });
    await track(kind, () => proxyUpgrade(req, socket, head, backend, signal));
  };

  const statusOf = (err: unknown): { status: number; text: string } => {
    if (err instanceof HttpError) return { status: err.status, text: err.message.endsWith("\n") ? err.message : `${err.message}\n` };
    if (err instanceof NatsletError) {
      const status = err.code === "NotFound" ? 404 : err.code === "InvalidInput" ? 400 : err.code === "Unavailable" || err.code === "Timeout" ? 503 : 500;
      return { status, text: `${err.message}\n` };
    }
    log.error({ err }, "node API request failed");
    return { status: 500, text: "internal error\n" };
  };

  const server: Server = createHttpsServer({
    cert: opts.cert,
    key: opts.key,
    // Ask for a client certificate, but let requests without one through to token authentication.
    ...(opts.clientCa ? { ca: opts.clientCa, requestCert: true, rejectUnauthorized: false } : {}),
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const target = targetOf(req);
    const routeName = target.route.kind;
    // Listen for the client going away before anything is awaited (authentication, runtime
    // calls): a 'close' that fires while those wait would otherwise be missed.
    const gone = new AbortController();
    const onClose = () => gone.abort();
    res.on("close", onClose);
    if (req.socket.destroyed) gone.abort();
    void handle(req, res, target, gone.signal).then(
      () => requests.inc({ route: routeName, code: String(res.statusCode) }),
      (err: unknown) => {
        if (err instanceof ClientGone) {
          requests.inc({ route: routeName, code: "499" });
          res.destroy();
          return;
        }
        const { status, text } = statusOf(err);
        requests.inc({ route: routeName, code: String(status) });
        if (!res.headersSent) res.writeHead(status, { "Content-Type": "text/plain" }).end(text);
        else res.destroy();
      },
    ).finally(() => res.off("close", onClose));
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const target = targetOf(req);
    // Registered before the first await (authentication, runtime calls): a client that closes
    // meanwhile must neither start a runtime session nor leave a backend connection behind.
    const gone = new AbortController();
    const onClose = () => gone.abort();
    socket.on("close", onClose);
    if (socket.destroyed) gone.abort();
    void upgrade(req, socket, head, target, gone.signal).catch((err: unknown) => {
      if (err instanceof ClientGone) {
        requests.inc({ route: target.route.kind, code: "499" });
        socket.destroy();
        return;
      }
      const { status, text } = statusOf(err);
      requests.inc({ route: target.route.kind, code: String(status) });
      if (socket.writable) {
        socket.end(`HTTP/1.1 ${status} ${status === 401 ? "Unauthorized" : status === 403 ? "Forbidden" : "Error"}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
      }
    }).finally(() => socket.off("close", onClose));
  });
  server.on("tlsClientError", (err) => log.debug({ err: err.message }, "TLS handshake failed"));
  server.listen(opts.port, opts.address);
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  const sockets = new Set<Duplex>();
  server.on("secureConnection", (s: Duplex) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  return {
    port,
    openStreams: () => [...streams.values()].reduce((a, b) => a + b, 0),
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Open log followers and exec sessions do not end by themselves: end them.
      for (const s of sockets) s.destroy();
      await closed;
      exits.stop();
      await pods.stop();
    },
  };
}
