// Time as the API server writes it. metav1.Time serialises as RFC 3339 with whole seconds
// ("2026-11-28T06:20:14Z"): the fraction is cut, not rounded, so natslet does the same and a
// status it writes round-trips through the API server unchanged.

/** Epoch milliseconds → RFC 3339 UTC with second precision (kubelet: metav1.NewTime(t).MarshalJSON). */
export function rfc3339(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** RFC 3339 text → epoch milliseconds, or undefined when it is not a timestamp. */
export function parseRfc3339(text: string): number | undefined {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * A duration the way Go's time.Duration.String() prints it ("10s", "1m20s", "5m0s", "500ms"),
 * because the kubelet puts such strings into user-facing messages ("back-off 5m0s restarting ...")
 * and users and tools match on them.
 */
export function goDuration(ms: number): string {
  if (ms === 0) return "0s";
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${rest}ms`;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  // Seconds keep their fraction with trailing zeros trimmed, as Go does ("1.5s").
  const seconds = (rest / 1000).toFixed(3).replace(/\.?0+$/, "");
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}
