// The runtime-adapter without its process: everything main.ts starts after it has connected,
// so integration tests run the real thing in-process against real NATS and containerd.
import { availableParallelism } from "node:os";
import type { NatsConnection } from "@nats-io/transport-node";
import { encodeJson, headersWithTrace } from "@natslet/bus";
import { subjects } from "@natslet/contracts";
import { KeyedLock } from "@natslet/core";
import type { Logger } from "@natslet/telemetry";
import type { Registry } from "prom-client";
import { systemClock, type Clock } from "./clock.js";
import { createHandlers, InFlight, serveRuntime } from "./handlers.js";
import { instrumentCri, type Cri } from "./instrumented.js";
import { DEFAULT_LOG_ROTATION, LogRotator } from "./log-rotation.js";
import { createMetrics } from "./metrics.js";
import { Observer } from "./observe.js";
import { Pleg } from "./pleg.js";
import type { RuntimeAdapterSettings } from "./settings.js";
import { TerminationMessages } from "./termination.js";

export interface RuntimeAdapterDeps {
  nc: NatsConnection;
  /** The raw CRI client; the adapter instruments it. Closing it stays with the caller. */
  cri: Cri;
  log: Logger;
  registry: Registry;
  /** /proc/meminfo MemTotal in bytes. */
  memoryCapacityBytes: number;
  cpuMillis?: number;
  clock?: Clock;
}

export interface RuntimeAdapter {
  readonly pleg: Pleg;
  /** Readiness: the last relist reached the runtime recently. */
  criHealthy(): boolean;
  /** Stops the PLEG, stops taking requests and waits for those in flight. */
  stop(): Promise<void>;
}

export function startRuntimeAdapter(settings: RuntimeAdapterSettings, deps: RuntimeAdapterDeps): RuntimeAdapter {
  const clock = deps.clock ?? systemClock;
  const log = deps.log;
  const metrics = createMetrics(deps.registry);
  const cri = instrumentCri(deps.cri, metrics);
  const termination = new TerminationMessages(settings.rootDir);
  const observer = new Observer(cri, termination, clock);
  const runtime = {
    cri,
    termination,
    locks: new KeyedLock(),
    podLogsDir: settings.podLogsDir,
    nodeName: settings.nodeName,
    nodeIp: settings.nodeIp,
    memoryCapacityBytes: deps.memoryCapacityBytes,
    cpuMillis: deps.cpuMillis ?? availableParallelism() * 1000,
  };

  const inFlight = new InFlight();
  const subscriptions = serveRuntime(deps.nc, settings.nodeName, createHandlers(runtime, observer), log, inFlight);
  const eventSubject = subjects.runtimeEvents(settings.nodeName);
  const pleg = new Pleg({
    periodMs: settings.plegPeriodMs,
    clock,
    relist: () => observer.node(),
    publish: (event) => deps.nc.publish(eventSubject, encodeJson(event), { headers: headersWithTrace() }),
    log,
    metrics,
  });
  pleg.start();
  const runningLogs = async () =>
    Object.values((await observer.node()).pods).flatMap((p) =>
      p.containers.flatMap((c) => (c.state === "running" && c.logPath ? [{ id: c.id, logPath: c.logPath }] : [])),
    );
  const logRotator = new LogRotator(cri, runningLogs, settings.logRotation ?? DEFAULT_LOG_ROTATION, log);
  logRotator.start();

  return {
    pleg,
    criHealthy: () => pleg.healthy(),
    async stop() {
      await pleg.stop();
      await logRotator.stop();
      for (const sub of subscriptions) sub.unsubscribe();
      await inFlight.settled();
    },
  };
}
