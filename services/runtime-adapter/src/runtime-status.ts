// RuntimeStatus: CRI Version + Status in one reply (kubelet: the runtime state its node-status
// setters read). The node-status-manager decides what the conditions mean for the Node.
import type { RuntimeReply } from "@natslet/contracts";
import type { Runtime } from "./runtime.js";

export async function runtimeStatus(rt: Runtime): Promise<RuntimeReply<"RuntimeStatus">> {
  const [version, status] = await Promise.all([rt.cri.version({ version: "v1" }), rt.cri.status({})]);
  return {
    runtimeName: version.runtimeName,
    runtimeVersion: version.runtimeVersion,
    runtimeApiVersion: version.runtimeApiVersion,
    conditions: (status.status?.conditions ?? []).map(({ type, status: ok, reason, message }) => ({ type, status: ok, reason, message })),
  };
}
