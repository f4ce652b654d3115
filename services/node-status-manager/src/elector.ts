// Runs the leader election (decisions in election.ts) against the Lease
// natslet-node-status-<node>: calls lead() while this replica holds it and aborts lead's signal
// as soon as it may not (lost the lease, could not renew in time, or shutting down).
import type { Clock } from "@natslet/kube";
import type { Logger } from "@natslet/telemetry";
import { isStatus, type Lease, type LeaseApi } from "./api.js";
import { decide, observe, renewDeadlineMs, type Observation } from "./election.js";
import { pause } from "./loop.js";

export interface ElectorOptions {
  leases: LeaseApi;
  name: string;
  identity: string;
  durationMs: number;
  renewMs: number;
  retryMs: number;
  clock: Clock;
  wallNow: () => Date;
  log: Logger;
  /** Runs while leading; must return soon after its signal aborts. */
  lead: (signal: AbortSignal) => Promise<void>;
  onLeading?: (leading: boolean) => void;
}

export async function runElector(o: ElectorOptions, signal: AbortSignal): Promise<void> {
  let observed: Observation | undefined;
  let held: Lease | undefined;
  let lastRenewMs = 0;
  let leading: { abort: AbortController; done: Promise<void> } | undefined;
  const seconds = Math.ceil(o.durationMs / 1000);

  const stepDown = async (why: string): Promise<void> => {
    if (leading === undefined) return;
    o.log.warn({ identity: o.identity, why }, "leadership lost; stopped writing the node");
    leading.abort.abort();
    await leading.done;
    leading = undefined;
    o.onLeading?.(false);
  };

  const attempt = async (): Promise<boolean> => {
    const now = o.clock.now();
    const record = await o.leases.get(o.name);
    if (record !== undefined) observed = observe(record, observed, now);
    const step = decide(record, o.identity, observed, now);
    const wall = o.wallNow().toISOString();
    const mine = (base: Lease | undefined, acquired: boolean): Lease => ({
      ...(base ?? { name: o.name, leaseTransitions: 0 }),
      holderIdentity: o.identity,
      leaseDurationSeconds: seconds,
      renewTime: wall,
      ...(acquired ? { acquireTime: wall, leaseTransitions: (base?.leaseTransitions ?? -1) + 1 } : {}),
    });
    switch (step.kind) {
      case "create":
        held = await o.leases.create(mine(undefined, true));
        return true;
      case "acquire":
        held = await o.leases.replace(mine(record, true));
        o.log.info({ identity: o.identity, from: step.from }, "acquired the node-status lease");
        return true;
      case "renew":
        held = await o.leases.replace(mine(record, false));
        return true;
      case "wait":
        return false;
      default: {
        const never: never = step;
        return never;
      }
    }
  };

  while (!signal.aborted) {
    let holds = false;
    try {
      holds = await attempt();
      if (holds) lastRenewMs = o.clock.now();
    } catch (err) {
      // 409: another replica wrote first; it is the leader now, or we retry.
      if (!isStatus(err, 409)) o.log.warn({ err }, "node-status lease: API error");
    }
    if (holds && leading === undefined) {
      const abort = new AbortController();
      o.log.info({ identity: o.identity }, "leading: writing the node");
      o.onLeading?.(true);
      leading = { abort, done: o.lead(abort.signal).catch((err: unknown) => o.log.error({ err }, "leader work failed")) };
    } else if (!holds && leading !== undefined) {
      // Stop before the others may take over: they wait the full duration after our last renewal.
      if (o.clock.now() - lastRenewMs > renewDeadlineMs(o.durationMs, o.renewMs)) await stepDown("renewal deadline passed");
      else if (held !== undefined && (await o.leases.get(o.name).catch(() => held))?.holderIdentity !== o.identity) {
        await stepDown("another replica holds the lease");
      }
    }
    if (!(await pause(o.clock, leading !== undefined ? o.renewMs : o.retryMs, signal))) break;
  }
  await stepDown("shutting down");
  // Hand over at once instead of making the others wait out the lease (client-go ReleaseOnCancel).
  if (held !== undefined) {
    try {
      const current = await o.leases.get(o.name);
      if (current?.holderIdentity === o.identity) {
        await o.leases.replace({ ...current, holderIdentity: "", leaseDurationSeconds: 1, renewTime: o.wallNow().toISOString() });
      }
    } catch (err) {
      o.log.warn({ err }, "node-status lease not released; others take over when it expires");
    }
  }
}
