// The query of GET /containerLogs as the kubelet reads it into a PodLogOptions (server.go
// getContainerLogs), checked as the API server's validation checks it.

export interface LogOptions {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  /** Lines from the end; undefined for all. */
  tailLines?: number;
  /** Only lines at or after this time (epoch ms): from sinceSeconds or sinceTime. */
  sinceMs?: number;
  /** Stop after this many bytes of output. */
  limitBytes?: number;
}

function boolParam(query: URLSearchParams, name: string): boolean | string {
  const v = query.get(name);
  if (v === null || v === "") return false;
  // Go's strconv.ParseBool, which the kubelet's query decoding uses.
  if (["1", "t", "T", "true", "TRUE", "True"].includes(v)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(v)) return false;
  return `${name}: invalid boolean ${JSON.stringify(v)}`;
}

function intParam(query: URLSearchParams, name: string, min: number): number | undefined | string {
  const v = query.get(name);
  if (v === null || v === "") return undefined;
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(n)) return `${name}: invalid integer ${JSON.stringify(v)}`;
  if (n < min) return `${name}: must be greater than or equal to ${min}`;
  return n;
}

/** The options, or a message for a 400. `nowMs` turns sinceSeconds into a time. */
export function parseLogOptions(query: URLSearchParams, nowMs: number): LogOptions | { error: string } {
  const follow = boolParam(query, "follow");
  const previous = boolParam(query, "previous");
  const timestamps = boolParam(query, "timestamps");
  const tailLines = intParam(query, "tailLines", 0);
  const sinceSeconds = intParam(query, "sinceSeconds", 1);
  const limitBytes = intParam(query, "limitBytes", 1);
  for (const v of [follow, previous, timestamps, tailLines, sinceSeconds, limitBytes]) {
    if (typeof v === "string") return { error: v };
  }
  const sinceTime = query.get("sinceTime");
  if (sinceSeconds !== undefined && sinceTime !== null && sinceTime !== "") {
    return { error: "at most one of sinceTime or sinceSeconds may be specified" };
  }
  let sinceMs: number | undefined;
  if (sinceSeconds !== undefined) sinceMs = nowMs - (sinceSeconds as number) * 1000;
  if (sinceTime !== null && sinceTime !== "") {
    const t = Date.parse(sinceTime);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(sinceTime) || Number.isNaN(t)) return { error: `sinceTime: invalid RFC3339 time ${JSON.stringify(sinceTime)}` };
    sinceMs = t;
  }
  return {
    follow: follow as boolean,
    previous: previous as boolean,
    timestamps: timestamps as boolean,
    ...(tailLines !== undefined ? { tailLines: tailLines as number } : {}),
    ...(sinceMs !== undefined ? { sinceMs } : {}),
    ...(limitBytes !== undefined ? { limitBytes: limitBytes as number } : {}),
  };
}
