// Reads natslet's pods from the CRI: list sandboxes and containers by natslet's label, then the
// status of each (PodSandboxStatus for IPs, ContainerStatus for times and exits). A status read
// for an object in a given state is kept: a container's times, exit code and termination
// message do not change while its state stays the same, so a relist every second costs two
// list calls plus one status call per object that changed, not one per object.
import type { ObservedContainer, ObservedNode, ObservedPod, ObservedSandbox } from "@natslet/contracts";
import { labelKeys } from "@natslet/core";
import { isNotFound, type Container, type PodSandbox, type RuntimeService } from "@natslet/cri";
import type { Clock } from "./clock.js";
import { emptyPod, groupPods, managedSelector, observedContainer, observedSandbox, type Labelled } from "./observe-map.js";
import type { ExitedContainer } from "./termination.js";

/** The CRI calls observing needs (a narrow seam: tests fake these four). */
export type ObserverCri = Pick<RuntimeService, "listPodSandbox" | "podSandboxStatus" | "listContainers" | "containerStatus">;

export interface TerminationReader {
  read(c: ExitedContainer): Promise<string | undefined>;
}

/** Status calls in flight at once, so the first relist on a busy node does not flood the runtime. */
const STATUS_CONCURRENCY = 16;

interface Cached<T> {
  state: string;
  observed: T;
}

export class Observer {
  readonly #sandboxes = new Map<string, Cached<ObservedSandbox>>();
  readonly #containers = new Map<string, Cached<ObservedContainer>>();

  constructor(
    private readonly cri: ObserverCri,
    private readonly termination: TerminationReader,
    private readonly clock: Clock,
  ) {}

  /** Every pod natslet has on this runtime. Also forgets cached statuses of objects gone. */
  async node(): Promise<ObservedNode> {
    const observedAt = this.clock.now();
    const { pods, sandboxIds, containerIds } = await this.#observe(undefined);
    forgetExcept(this.#sandboxes, sandboxIds);
    forgetExcept(this.#containers, containerIds);
    return { pods, observedAt };
  }

  /** One pod, read fresh from the runtime (an empty pod if it has nothing there). */
  async pod(uid: string): Promise<ObservedPod> {
    const { pods } = await this.#observe(uid);
    return pods[uid] ?? emptyPod(uid);
  }

  async #observe(uid: string | undefined) {
    const labelSelector = managedSelector(uid);
    const [{ items }, { containers }] = await Promise.all([
      this.cri.listPodSandbox({ filter: { labelSelector } }),
      this.cri.listContainers({ filter: { labelSelector } }),
    ]);
    const sandboxes = await mapLimit(items, STATUS_CONCURRENCY, (item) => this.#sandbox(item));
    const observedContainers = await mapLimit(containers, STATUS_CONCURRENCY, (item) => this.#container(item));
    return {
      pods: groupPods(sandboxes.filter(isDefined), observedContainers.filter(isDefined)),
      sandboxIds: new Set(items.map((s) => s.id)),
      containerIds: new Set(containers.map((c) => c.id)),
    };
  }

  async #sandbox(item: PodSandbox): Promise<Labelled<ObservedSandbox> | undefined> {
    const cached = this.#sandboxes.get(item.id);
    if (cached?.state === item.state) return { labels: item.labels, observed: cached.observed };
    let status;
    try {
      ({ status } = await this.cri.podSandboxStatus({ podSandboxId: item.id }));
    } catch (err) {
      if (isNotFound(err)) return undefined; // removed between list and status
      throw err;
    }
    if (status === null) return undefined;
    const observed = observedSandbox(status);
    this.#sandboxes.set(item.id, { state: status.state, observed });
    return { labels: item.labels, observed };
  }

  async #container(item: Container): Promise<Labelled<ObservedContainer> | undefined> {
    const cached = this.#containers.get(item.id);
    if (cached?.state === item.state) return { labels: item.labels, observed: cached.observed };
    let status;
    try {
      ({ status } = await this.cri.containerStatus({ containerId: item.id }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    if (status === null) return undefined;
    let message: string | undefined;
    let complete = true;
    if (status.state === "CONTAINER_EXITED") {
      message = await this.termination
        .read({
          podUid: item.labels[labelKeys.podUid] ?? "",
          name: status.metadata?.name ?? "",
          attempt: status.metadata?.attempt ?? 0,
          exitCode: status.exitCode,
          policy: status.annotations[labelKeys.terminationMessagePolicy] ?? "File",
          logPath: status.logPath,
        })
        .catch(() => {
          // An unreadable message file must not fail the whole relist: report the exit without
          // it now, and try again next time (not cached).
          complete = false;
          return undefined;
        });
    }
    const observed = observedContainer(item, status, message);
    if (observed === undefined) return undefined;
    // "unknown" may change without a state change the list would show; read it again next time.
    if (complete && status.state !== "CONTAINER_UNKNOWN") this.#containers.set(item.id, { state: status.state, observed });
    return { labels: item.labels, observed };
  }
}

function forgetExcept<T>(cache: Map<string, T>, keep: ReadonlySet<string>): void {
  for (const id of cache.keys()) if (!keep.has(id)) cache.delete(id);
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

/** `fn` over `items`, at most `limit` at a time, results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
