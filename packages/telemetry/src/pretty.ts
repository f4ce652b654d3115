// Log lines for a person at a terminal (LOG_FORMAT=pretty): time, level, service, message,
// then the fields as key=value. The JSON line is the source of truth; this only re-renders it.
import type { DestinationStream } from "pino";

const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO ", 40: "WARN ", 50: "ERROR", 60: "FATAL" };
const COLORS: Record<number, string> = { 10: "90", 20: "36", 30: "32", 40: "33", 50: "31", 60: "35" };
/** Fields already shown in the line's head, or noise at a terminal. */
const SHOWN = new Set(["level", "time", "msg", "service", "node", "pid", "hostname"]);

/** Renders one pino JSON line. */
export function prettyLine(json: string, color: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith("\n") ? json : `${json}\n`;
  }
  const level = typeof entry["level"] === "number" ? entry["level"] : 30;
  const time = typeof entry["time"] === "string" ? entry["time"].slice(11, 23) : "";
  const name = LEVELS[level] ?? String(level);
  const head = color ? `\x1b[${COLORS[level] ?? "0"}m${name}\x1b[0m` : name;
  const fields = Object.entries(entry)
    .filter(([k]) => !SHOWN.has(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? (/[\s"]/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`);
  const service = typeof entry["service"] === "string" ? entry["service"] : "";
  const msg = typeof entry["msg"] === "string" ? entry["msg"] : JSON.stringify(entry["msg"] ?? "");
  return `${time} ${head} [${service}] ${msg}${fields.length ? "  " + fields.join(" ") : ""}\n`;
}

/** A pino destination writing pretty lines to `out` (stdout by default). */
export function prettyDestination(out: NodeJS.WritableStream = process.stdout, color = process.stdout.isTTY): DestinationStream {
  return {
    write(line: string) {
      out.write(prettyLine(line.trimEnd(), color));
    },
  };
}
