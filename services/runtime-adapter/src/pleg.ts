// The pod lifecycle event generator: relist the runtime every period, diff with the previous
// relist, publish what changed on core NATS (kubelet: pleg/generic.go). Events only say "look
// at this pod again"; losing one is harmless because the sync-loop also resyncs periodically.
import { SpanKind, context, trace, type Tracer } from "@opentelemetry/api";
import { suppressTracing } from "@opentelemetry/core";
import type { ObservedNode, RuntimeEvent } from "@natslet/contracts";
import type { Logger } from "@natslet/telemetry";
import type { Cancel, Clock } from "./clock.js";
import type { Metrics } from "./metrics.js";
import { relistEvents } from "./pleg-diff.js";

export interface PlegOptions {
  periodMs: number;
  clock: Clock;
  /** One relist: every natslet pod on the runtime. */
  relist: () => Promise<ObservedNode>;
  /** Sends one event; called inside the "PLEG events" span, so its trace headers name that span. */
  publish: (event: RuntimeEvent) => void;
  log: Logger;
  metrics: Pick<Metrics, "relistDuration" | "relistErrors" | "runtimeEvents">;
  tracer?: Tracer;
}

/** The runtime counts as reachable while a relist succeeded within this many periods (and 10 s). */
const HEALTHY_PERIODS = 5;
const HEALTHY_MIN_MS = 10_000;

export class Pleg {
  #previous: ObservedNode | undefined;
  #lastOkAt: number | undefined;
  #cancel: Cancel | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  readonly #tracer: Tracer;

  constructor(private readonly opts: PlegOptions) {
    this.#tracer = opts.tracer ?? trace.getTracer("@natslet/runtime-adapter");
  }

  /** Relists now, then `periodMs` after each relist ends (relists never overlap). */
  start(): void {
    this.#schedule(0);
  }

  /** Stops the loop and waits for a relist in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancel?.();
    await this.#running;
  }

  /** True while the last relist succeeded recently: the CRI answers. */
  healthy(): boolean {
    const limit = Math.max(HEALTHY_PERIODS * this.opts.periodMs, HEALTHY_MIN_MS);
    return this.#lastOkAt !== undefined && this.opts.clock.now() - this.#lastOkAt <= limit;
  }

  /** One relist + diff + publish. Never throws: a failed relist is logged and counted. */
  async relistOnce(): Promise<void> {
    const stopTimer = this.opts.metrics.relistDuration.startTimer();
    let events: RuntimeEvent[];
    try {
      // A relist every second would make a trace every second (plus a span per CRI call):
      // relists are measured by the histogram instead, and only a change starts a trace.
      const next = await context.with(suppressTracing(context.active()), () => this.opts.relist());
      events = relistEvents(this.#previous, next, this.opts.clock.now());
      this.#previous = next;
      this.#lastOkAt = this.opts.clock.now();
    } catch (err) {
      // Keep the previous relist: the next successful one diffs against it, so nothing that
      // changed during the outage is missed.
      this.opts.metrics.relistErrors.inc();
      this.opts.log.warn({ err }, "PLEG relist failed");
      return;
    } finally {
      stopTimer();
    }
    if (events.length === 0) return;
    // The events carry this span's context: the pod syncs they cause continue its trace.
    this.#tracer.startActiveSpan("PLEG events", { kind: SpanKind.PRODUCER, attributes: { "natslet.pleg.events": events.length } }, (span) => {
      for (const event of events) this.#publish(event);
      span.end();
    });
  }

  #publish(event: RuntimeEvent): void {
    try {
      this.opts.publish(event);
      this.opts.metrics.runtimeEvents.inc({ type: event.type });
    } catch (err) {
      this.opts.log.warn({ err, event }, "could not publish runtime event");
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#cancel = this.opts.clock.schedule(() => {
      this.#running = this.relistOnce().finally(() => {
        this.#running = undefined;
        this.#schedule(this.opts.periodMs);
      });
    }, delayMs);
  }
}
