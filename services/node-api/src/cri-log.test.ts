import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LineSplitter, LogFormatter, parseCriLine, type FormatOptions } from "./cri-log.js";

const T1 = "2026-01-02T03:04:05.123456789Z";
const T2 = "2026-01-02T03:04:06.000000001Z";
const T3 = "2026-01-02T03:04:07Z";

describe("parseCriLine", () => {
  test("a full stdout line", () => {
    const l = parseCriLine(Buffer.from(`${T1} stdout F hello world`));
    assert.deepEqual(
      l && { ...l, content: l.content.toString() },
      { timestamp: T1, timeMs: Date.parse("2026-01-02T03:04:05.123Z"), stream: "stdout", partial: false, content: "hello world" },
    );
  });
  test("a partial stderr line keeps its spaces", () => {
    const l = parseCriLine(Buffer.from(`${T1} stderr P  two  spaces `));
    assert.equal(l?.stream, "stderr");
    assert.equal(l?.partial, true);
    assert.equal(l?.content.toString(), " two  spaces ");
  });
  test("an empty line", () => assert.equal(parseCriLine(Buffer.from(`${T1} stdout F`))?.content.length, 0));
  test("a tag with extras", () => assert.equal(parseCriLine(Buffer.from(`${T1} stdout F:x text`))?.content.toString(), "text"));
  for (const bad of ["", "garbage", `${T1} stdin F x`, `notatime stdout F x`, `${T1} stdout X x`, `${T1} stdout`]) {
    test(`malformed: ${JSON.stringify(bad)}`, () => assert.equal(parseCriLine(Buffer.from(bad)), undefined));
  }
});

function format(lines: string[], opts: FormatOptions): string {
  const f = new LogFormatter(opts);
  return Buffer.concat(lines.map((l) => f.format(Buffer.from(l)))).toString();
}

describe("LogFormatter", () => {
  const file = [`${T1} stdout F one`, `${T2} stderr P tw`, `${T2} stderr F o`, "broken line", `${T3} stdout F three`];
  const cases: { name: string; opts: FormatOptions; want: string }[] = [
    { name: "plain: both streams, partials joined, malformed skipped", opts: { timestamps: false }, want: "one\ntwo\nthree\n" },
    { name: "timestamps: the time of a line's first piece", opts: { timestamps: true }, want: `${T1} one\n${T2} two\n${T3} three\n` },
    { name: "since drops older lines", opts: { timestamps: false, sinceMs: Date.parse(T2) }, want: "two\nthree\n" },
    { name: "since after everything", opts: { timestamps: false, sinceMs: Date.parse("2030-01-01T00:00:00Z") }, want: "" },
    { name: "limitBytes cuts mid-line", opts: { timestamps: false, limitBytes: 6 }, want: "one\ntw" },
    { name: "limitBytes with timestamps counts the prefix", opts: { timestamps: true, limitBytes: 10 }, want: T1.slice(0, 10) },
  ];
  for (const c of cases) test(c.name, () => assert.equal(format(file, c.opts), c.want));

  test("done once the limit is reached", () => {
    const f = new LogFormatter({ timestamps: false, limitBytes: 3 });
    f.format(Buffer.from(`${T1} stdout F abcdef`));
    assert.equal(f.done, true);
    assert.equal(f.format(Buffer.from(`${T1} stdout F more`)).length, 0);
  });
});

describe("LineSplitter", () => {
  test("lines across chunks; the unfinished rest waits", () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push(Buffer.from("a\nb")).map(String), ["a"]);
    assert.deepEqual(s.push(Buffer.from("c\n\nd")).map(String), ["bc", ""]);
    assert.equal(s.pending, 1);
  });
  test("the rest is a copy, not a view of the reused read buffer", () => {
    const s = new LineSplitter();
    const buf = Buffer.from("x\nyz");
    s.push(buf);
    buf.fill(0);
    assert.deepEqual(s.push(Buffer.from("\n")).map(String), ["yz"]);
  });
});
