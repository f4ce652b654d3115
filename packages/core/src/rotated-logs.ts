// The names log rotation gives a container's log files (kubelet: container log manager):
// `<log>.<20060102-150405 in UTC>`, not compressed. The runtime-adapter rotates; the node-api
// reads them back: one rule for both.

/** The suffix of a file rotated at `now`: the kubelet's time format 20060102-150405, in UTC. */
export function rotatedLogSuffix(now: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
}

/** Of the names in a log's directory, the rotated files of `logName`, oldest first (the suffix sorts by time). */
export function rotatedLogNames(logName: string, dirNames: readonly string[]): string[] {
  const prefix = `${logName}.`;
  return dirNames.filter((n) => n.startsWith(prefix) && /^\d{8}-\d{6}$/.test(n.slice(prefix.length))).sort();
}
