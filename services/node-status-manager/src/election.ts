// Leader election among node-status-manager replicas over a Lease (client-go leaderelection,
// reduced to its decision): exactly one replica writes the Node at a time. Expiry is judged by
// the local clock since this replica last saw the record change, not by comparing renewTime
// with our wall clock, so replicas on hosts with skewed clocks still agree.

/** The parts of the election Lease the decision reads. */
export interface ElectionRecord {
  holderIdentity: string;
  renewTime: string;
  leaseDurationSeconds: number;
}

/** When this replica first saw the current record (by holder and renew time). */
export interface Observation {
  key: string;
  atMs: number;
}

export type ElectionStep =
  | { kind: "create" }
  | { kind: "renew" }
  | { kind: "acquire"; from: string }
  | { kind: "wait"; holder: string; expiresInMs: number };

export function observe(record: ElectionRecord, previous: Observation | undefined, nowMs: number): Observation {
  const key = `${record.holderIdentity}@${record.renewTime}`;
  return previous?.key === key ? previous : { key, atMs: nowMs };
}

/** What to do with the Lease as read (undefined: there is none). */
export function decide(record: ElectionRecord | undefined, me: string, observed: Observation | undefined, nowMs: number): ElectionStep {
  if (record === undefined) return { kind: "create" };
  if (record.holderIdentity === me) return { kind: "renew" };
  // An empty holder is a released lease: the last leader stepped down cleanly.
  if (record.holderIdentity === "") return { kind: "acquire", from: "" };
  const expiresInMs = (observed?.atMs ?? nowMs) + record.leaseDurationSeconds * 1000 - nowMs;
  if (expiresInMs <= 0) return { kind: "acquire", from: record.holderIdentity };
  return { kind: "wait", holder: record.holderIdentity, expiresInMs };
}

/** A leader that could not renew for this long steps down before its lease can expire for others. */
export function renewDeadlineMs(durationMs: number, renewMs: number): number {
  return Math.max(renewMs, durationMs - renewMs);
}
