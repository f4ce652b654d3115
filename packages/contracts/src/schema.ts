/**
 * A small parser-combinator kit for validating bus messages at the edge: every message goes
 * from `unknown` to a typed value, or fails with a path to the offending field
 * ("pod.spec.containers[0].name: expected a non-empty string, got number").
 */
export class ValidationError extends Error {
  override readonly name = "ValidationError";
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path || "message"}: ${problem}`);
  }
}

/** A parser turns unknown input into T or throws ValidationError. */
export type Parser<T> = (input: unknown, path: string) => T;
export type Parsed<P> = P extends Parser<infer T> ? T : never;

function describe(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "array";
  return typeof input;
}

export const string: Parser<string> = (input, path) => {
  if (typeof input !== "string") throw new ValidationError(path, `expected a string, got ${describe(input)}`);
  return input;
};

export const nonEmptyString: Parser<string> = (input, path) => {
  const s = string(input, path);
  if (s === "") throw new ValidationError(path, "expected a non-empty string");
  return s;
};

export const boolean: Parser<boolean> = (input, path) => {
  if (typeof input !== "boolean") throw new ValidationError(path, `expected a boolean, got ${describe(input)}`);
  return input;
};

export const integer: Parser<number> = (input, path) => {
  if (typeof input !== "number" || !Number.isSafeInteger(input)) {
    throw new ValidationError(path, `expected an integer, got ${describe(input)}`);
  }
  return input;
};

export const nonNegativeInteger: Parser<number> = (input, path) => {
  const n = integer(input, path);
  if (n < 0) throw new ValidationError(path, `expected an integer >= 0, got ${n}`);
  return n;
};

/** One of a closed set of string literals. */
export function oneOf<const T extends readonly string[]>(...values: T): Parser<T[number]> {
  return (input, path) => {
    if (typeof input !== "string" || !values.includes(input)) {
      throw new ValidationError(path, `expected one of ${values.join(" | ")}, got ${JSON.stringify(input)}`);
    }
    return input;
  };
}

export function array<T>(item: Parser<T>): Parser<T[]> {
  return (input, path) => {
    if (!Array.isArray(input)) throw new ValidationError(path, `expected an array, got ${describe(input)}`);
    return input.map((x, i) => item(x, `${path}[${i}]`));
  };
}

export function record<T>(value: Parser<T>): Parser<Record<string, T>> {
  return (input, path) => {
    const obj = plainObject(input, path);
    const out: Record<string, T> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = value(v, join(path, k));
    return out;
  };
}

/** An object that must be a plain JSON object; its content is not checked (e.g. a Kubernetes object). */
export const jsonObject: Parser<Record<string, unknown>> = (input, path) => plainObject(input, path);

const OPTIONAL = Symbol("optional");
/** Marks an object field as optional: absent (or undefined) is fine, null is not. */
export interface OptionalParser<T> {
  readonly [OPTIONAL]: true;
  readonly parse: Parser<T>;
}
export function optional<T>(parse: Parser<T>): OptionalParser<T> {
  return { [OPTIONAL]: true, parse };
}

type Shape = Record<string, Parser<unknown> | OptionalParser<unknown>>;
type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalParser<unknown> ? never : K }[keyof S];
type OptionalKeys<S extends Shape> = Exclude<keyof S, RequiredKeys<S>>;
export type ObjectOf<S extends Shape> = {
  [K in RequiredKeys<S>]: S[K] extends Parser<infer T> ? T : never;
} & {
  [K in OptionalKeys<S>]?: S[K] extends OptionalParser<infer T> ? T : never;
};

/** An object with the given fields. Unknown fields are dropped, so newer senders stay compatible. */
export function object<S extends Shape>(shape: S): Parser<ObjectOf<S>> {
  return (input, path) => {
    const obj = plainObject(input, path);
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(shape)) {
      const value = obj[key];
      if (OPTIONAL in field) {
        if (value !== undefined) out[key] = field.parse(value, join(path, key));
      } else {
        if (value === undefined) throw new ValidationError(join(path, key), "is required");
        out[key] = field(value, join(path, key));
      }
    }
    return out as ObjectOf<S>;
  };
}

/** A union told apart by a string field (e.g. `kind`). */
export function taggedUnion<K extends string, M extends Record<string, Parser<unknown>>>(
  tag: K,
  members: M,
): Parser<{ [T in keyof M]: Parsed<M[T]> }[keyof M]> {
  const tags = Object.keys(members);
  return (input, path) => {
    const obj = plainObject(input, path);
    const value = obj[tag];
    const member = typeof value === "string" ? members[value] : undefined;
    if (!member) {
      throw new ValidationError(join(path, tag), `expected one of ${tags.join(" | ")}, got ${JSON.stringify(value)}`);
    }
    return member(obj, path) as { [T in keyof M]: Parsed<M[T]> }[keyof M];
  };
}

function plainObject(input: unknown, path: string): Record<string, unknown> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new ValidationError(path, `expected an object, got ${describe(input)}`);
  }
  return input as Record<string, unknown>;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Parses JSON bytes/text into T with `parser`; malformed JSON is a ValidationError too. */
export function decode<T>(parser: Parser<T>, data: Uint8Array | string): T {
  let json: unknown;
  try {
    json = JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data));
  } catch (err) {
    throw new ValidationError("", `not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return parser(json, "");
}
