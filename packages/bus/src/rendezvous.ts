// Which replica of a scaled service works on a key: rendezvous (highest random weight) hashing.
// Every replica computes the same answer from the same member list, without talking; when a
// member joins or leaves, only the keys it wins or held move (about 1/n of them), the rest stay.
import { createHash } from "node:crypto";

function weight(member: string, key: string): bigint {
  return createHash("sha256").update(member).update("\u0000").update(key).digest().readBigUInt64BE(0);
}

/** The member that owns `key`, or undefined when there are no members. */
export function rendezvousOwner(members: Iterable<string>, key: string): string | undefined {
  let best: { member: string; weight: bigint } | undefined;
  for (const member of members) {
    const w = weight(member, key);
    // Ties (never in practice) go to the smaller name, so every replica still agrees.
    if (best === undefined || w > best.weight || (w === best.weight && member < best.member)) best = { member, weight: w };
  }
  return best?.member;
}
