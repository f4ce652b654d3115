import { decode, type Parser } from "@natslet/contracts";

const encoder = new TextEncoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Bytes → validated T; throws ValidationError with the offending field's path. */
export function decodeJson<T>(parser: Parser<T>, data: Uint8Array): T {
  return decode(parser, data);
}
