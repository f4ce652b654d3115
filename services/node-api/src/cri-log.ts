// The CRI log format (kubelet pkg/kubelet/kuberuntime/logs): one line per write the runtime
// made, `<RFC3339Nano time> <stdout|stderr> <P|F> <text>\n`. A "P" (partial) line is a piece of a
// longer line the runtime split; the text of the following lines up to the next "F" (full)
// completes it. Pure: bytes in, bytes out.

export interface CriLogLine {
  /** The time as written (RFC3339Nano); what --timestamps prints. */
  timestamp: string;
  timeMs: number;
  stream: "stdout" | "stderr";
  partial: boolean;
  /** The text, without the newline. */
  content: Buffer;
}

const SPACE = 0x20;

/** One line of a CRI log file (without its "\n"); undefined when it is not in the format. */
export function parseCriLine(line: Buffer): CriLogLine | undefined {
  const a = line.indexOf(SPACE);
  if (a <= 0) return undefined;
  const b = line.indexOf(SPACE, a + 1);
  if (b < 0) return undefined;
  const timestamp = line.toString("latin1", 0, a);
  const timeMs = Date.parse(timestamp);
  const stream = line.toString("latin1", a + 1, b);
  if (Number.isNaN(timeMs) || (stream !== "stdout" && stream !== "stderr")) return undefined;
  // The tag field is "P" or "F", possibly followed by ":"-separated extras; an empty content
  // line may end right after the tag.
  let c = line.indexOf(SPACE, b + 1);
  if (c < 0) c = line.length;
  const tag = line.toString("latin1", b + 1, c).split(":")[0];
  if (tag !== "P" && tag !== "F") return undefined;
  return { timestamp, timeMs, stream, partial: tag === "P", content: line.subarray(Math.min(c + 1, line.length)) };
}

export interface FormatOptions {
  timestamps: boolean;
  sinceMs?: number;
  limitBytes?: number;
}

/**
 * Turns CRI log lines into what `kubectl logs` prints: the text of both streams, partial lines
 * joined, `--timestamps` putting the time of a line's first piece in front of it, lines before
 * `sinceMs` dropped, output cut at `limitBytes`.
 */
export class LogFormatter {
  #written = 0;
  /** Inside a line whose first piece was partial (the next piece continues it). */
  #midLine = false;

  constructor(private readonly opts: FormatOptions) {}

  /** True once limitBytes has been written: the caller stops reading. */
  get done(): boolean {
    return this.opts.limitBytes !== undefined && this.#written >= this.opts.limitBytes;
  }

  /** The output for one raw file line (possibly empty). Malformed lines are skipped, as the kubelet does. */
  format(raw: Buffer): Buffer {
    const parts: Buffer[] = [];
    this.formatInto(raw, parts);
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /**
   * Appends the output pieces for one raw line to `out` without copying the text: the pieces may
   * be views of `raw`, so the caller joins them (one copy per read chunk) before reusing it.
   */
  formatInto(raw: Buffer, out: Buffer[]): void {
    if (this.done) return;
    const line = parseCriLine(raw);
    if (line === undefined) return;
    if (this.opts.sinceMs !== undefined && line.timeMs < this.opts.sinceMs && !this.#midLine) return;
    const parts: Buffer[] = [];
    if (this.opts.timestamps && !this.#midLine) parts.push(Buffer.from(`${line.timestamp} `, "latin1"));
    parts.push(line.content);
    if (!line.partial) parts.push(NEWLINE);
    this.#midLine = line.partial;
    let room = this.opts.limitBytes === undefined ? Infinity : this.opts.limitBytes - this.#written;
    for (const p of parts) {
      if (room <= 0) break;
      const piece = p.length <= room ? p : p.subarray(0, room);
      out.push(piece);
      room -= piece.length;
      this.#written += piece.length;
    }
  }
}

const NEWLINE = Buffer.from("\n");

/** Splits a byte stream into lines; keeps the unfinished rest for the next chunk. */
export class LineSplitter {
  #rest: Buffer = Buffer.alloc(0);

  /** Complete lines (without "\n") in `chunk` after what was kept. */
  push(chunk: Buffer): Buffer[] {
    const data = this.#rest.length === 0 ? chunk : Buffer.concat([this.#rest, chunk]);
    const lines: Buffer[] = [];
    let start = 0;
    for (let i = data.indexOf(10, start); i >= 0; i = data.indexOf(10, start)) {
      lines.push(data.subarray(start, i));
      start = i + 1;
    }
    this.#rest = Buffer.from(data.subarray(start));
    return lines;
  }

  /** An unfinished last line (a runtime mid-write), for the end of a non-follow read. */
  get pending(): number {
    return this.#rest.length;
  }
}
