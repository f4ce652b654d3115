// What changed between two relists, as runtime events. Pure. kubelet: pleg/generic.go
// (generateEvents, computeEvents), with the same state mapping: a created container counts as
// "unknown" (nothing runs yet), and a container that vanished while not exited also died.
import type { ObservedContainer, ObservedNode, ObservedPod, ObservedSandbox, RuntimeEvent } from "@natslet/contracts";

type PlegState = "running" | "exited" | "unknown" | "absent";

function plegState(c: ObservedContainer | undefined): PlegState {
  if (c === undefined) return "absent";
  switch (c.state) {
    case "running":
      return "running";
    case "exited":
      return "exited";
    case "created":
    case "unknown":
      return "unknown";
  }
}

/**
 * Events for every container whose PLEG state differs between `prev` and `next`, and a
 * SandboxChanged for every sandbox that appeared, vanished, or changed state or IP. Without a
 * previous relist everything counts as new (the kubelet's first relist does the same).
 */
export function relistEvents(prev: ObservedNode | undefined, next: ObservedNode, at: number): RuntimeEvent[] {
  const events: RuntimeEvent[] = [];
  const uids = new Set([...Object.keys(next.pods), ...Object.keys(prev?.pods ?? {})]);
  for (const podUid of uids) {
    const before = prev?.pods[podUid];
    const after = next.pods[podUid];
    sandboxEvents(podUid, before, after, at, events);
    containerEvents(podUid, before, after, at, events);
  }
  return events;
}

function sandboxEvents(podUid: string, before: ObservedPod | undefined, after: ObservedPod | undefined, at: number, out: RuntimeEvent[]): void {
  const old = byId(before?.sandboxes);
  const now = byId(after?.sandboxes);
  for (const id of union(now, old)) {
    if (!sameSandbox(old.get(id), now.get(id))) out.push({ type: "SandboxChanged", podUid, id, at });
  }
}

function containerEvents(podUid: string, before: ObservedPod | undefined, after: ObservedPod | undefined, at: number, out: RuntimeEvent[]): void {
  const old = byId(before?.containers);
  const now = byId(after?.containers);
  for (const id of union(now, old)) {
    const was = plegState(old.get(id));
    const is = plegState(now.get(id));
    if (was === is) continue;
    switch (is) {
      case "running":
        out.push({ type: "ContainerStarted", podUid, id, at });
        break;
      case "exited":
        out.push(died(podUid, id, now.get(id)?.exitCode, at));
        break;
      case "unknown":
        out.push({ type: "ContainerChanged", podUid, id, at });
        break;
      case "absent":
        // Gone without being seen exited: it died too (its exit code went with it).
        if (was !== "exited") out.push(died(podUid, id, undefined, at));
        out.push({ type: "ContainerRemoved", podUid, id, at });
        break;
    }
  }
}

function died(podUid: string, id: string, exitCode: number | undefined, at: number): RuntimeEvent {
  return { type: "ContainerDied", podUid, id, ...(exitCode !== undefined ? { exitCode } : {}), at };
}

function sameSandbox(a: ObservedSandbox | undefined, b: ObservedSandbox | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.state === b.state && a.ip === b.ip;
}

function byId<T extends { id: string }>(items: readonly T[] | undefined): Map<string, T> {
  return new Map((items ?? []).map((item) => [item.id, item]));
}

/** Keys of `first`, then those only in `second`: the current objects in their order, then the vanished. */
function union<K>(first: Map<K, unknown>, second: Map<K, unknown>): K[] {
  return [...first.keys(), ...[...second.keys()].filter((k) => !first.has(k))];
}
