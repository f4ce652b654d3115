/** Anything a test starts and must stop again. */
export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Starts parts in parallel, like Promise.all, but when one fails the others that did start are
 * stopped before the error is thrown: otherwise their processes keep the test file alive until
 * the runner's timeout, and one failed start reads as a ten-minute hang.
 */
export async function startAll<const T extends ReadonlyArray<Promise<Stoppable>>>(
  starts: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(starts);
  const failures = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failures.length === 0) {
    return settled.map((s) => (s as PromiseFulfilledResult<Stoppable>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
  }
  await Promise.allSettled(
    settled.filter((s): s is PromiseFulfilledResult<Stoppable> => s.status === "fulfilled").map((s) => s.value.stop()),
  );
  const [first, ...rest] = failures.map((f): unknown => f.reason);
  if (rest.length === 0) throw first;
  throw new AggregateError([first, ...rest], `${failures.length} of ${starts.length} parts failed to start`);
}
