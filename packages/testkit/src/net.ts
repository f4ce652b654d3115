import { randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/**
 * Ports are drawn below the kernel's ephemeral range. A port the OS picked (listen on 0) comes
 * from that range, so between our probe and the server's own bind any outgoing connection on
 * the machine (a client of the apiserver, etcd, NATS) may take it as its local port: under full
 * load that made a test part fail to bind now and then.
 */
const PORT_FLOOR = 10_000;
const handedOut = new Set<number>();

function ephemeralFloor(): number {
  try {
    const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/);
    const value = Number(low);
    return Number.isInteger(value) && value > PORT_FLOOR + 1000 ? value : 32_768;
  } catch {
    return 32_768;
  }
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, outside the ephemeral range, never the
 * same twice in one process. Parallel test processes draw at random, so they rarely meet.
 */
export async function freePort(): Promise<number> {
  const ceiling = ephemeralFloor();
  for (let tries = 0; tries < 200; tries++) {
    const port = randomInt(PORT_FLOOR, ceiling);
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port on 127.0.0.1 between ${PORT_FLOOR} and ${ceiling} after 200 tries`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
