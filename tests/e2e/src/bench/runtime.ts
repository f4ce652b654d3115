// Every run starts from an empty runtime: what one agent left behind must not slow the next.
import { setTimeout as sleep } from "node:timers/promises";
import type { CriClient } from "@natslet/cri";

/** Stops and removes every sandbox (and so every container); returns how many there were. */
export async function emptyRuntime(cri: CriClient, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const { items } = await cri.listPodSandbox({});
  const found = items.length;
  for (;;) {
    const { items: left } = await cri.listPodSandbox({});
    if (left.length === 0) return found;
    if (Date.now() > deadline) throw new Error(`${left.length} sandboxes still in the runtime after ${timeoutMs} ms`);
    // Ten at a time: this is cleanup, not a measurement, and containerd on 2 cores chokes on 100.
    for (let i = 0; i < left.length; i += 10) {
      await Promise.all(
        left.slice(i, i + 10).map(async ({ id }) => {
          await cri.stopPodSandbox({ podSandboxId: id }).catch(() => undefined);
          await cri.removePodSandbox({ podSandboxId: id }).catch(() => undefined);
        }),
      );
    }
    await sleep(200);
  }
}
