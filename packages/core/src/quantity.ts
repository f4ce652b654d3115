// Kubernetes resource quantities ("100m", "0.5", "64Mi", "1G", "1e3"), parsed exactly.
// kubelet: k8s.io/apimachinery/pkg/api/resource.Quantity (ParseQuantity, MilliValue, Value).
//
//   <quantity>     ::= <signedNumber><suffix>
//   <number>       ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
//   <suffix>       ::= <binarySI> | <decimalExponent> | <decimalSI>
//   <binarySI>     ::= Ki | Mi | Gi | Ti | Pi | Ei
//   <decimalSI>    ::= m | "" | k | M | G | T | P | E
//   <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>
//
// A value is kept as an exact fraction of bigints, because the rules that use quantities compare
// sums for equality (QoS) and round up (MilliValue), and floating point gets both wrong.

/** A quantity that cannot be parsed or does not fit where it is used. */
export class QuantityError extends Error {
  override readonly name = "QuantityError";
}

/** An exact rational value num/den, den > 0. */
export interface Quantity {
  readonly num: bigint;
  readonly den: bigint;
}

const BINARY_SI: Record<string, bigint> = {
  Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n,
};
const DECIMAL_SI: Record<string, number> = { m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

const NUMBER = /^([+-]?)(\d+\.?\d*|\.\d+)(.*)$/;
const EXPONENT = /^[eE]([+-]?\d+)$/;
// Beyond this an exponent only ever means "does not fit"; refusing it early keeps 10n ** e cheap.
const MAX_EXPONENT = 100;

export const ZERO: Quantity = { num: 0n, den: 1n };

/** Parses a quantity; throws QuantityError with the offending text on anything else. */
export function parseQuantity(text: string): Quantity {
  // Surrounding blanks are an error, as in ParseQuantity: "1 " is not a quantity.
  const m = text.trim() === text ? NUMBER.exec(text) : null;
  if (!m) throw new QuantityError(`quantity ${JSON.stringify(text)}: not a number with an optional suffix`);
  const [, sign = "", digits = "", suffix = ""] = m;
  const [whole = "", fraction = ""] = digits.split(".");
  let num = BigInt(`${whole}${fraction}` || "0");
  let den = 10n ** BigInt(fraction.length);
  if (sign === "-") num = -num;

  const binary = BINARY_SI[suffix];
  if (binary !== undefined) {
    num *= binary;
  } else {
    let exponent = DECIMAL_SI[suffix];
    if (exponent === undefined) {
      const e = EXPONENT.exec(suffix);
      if (!e) throw new QuantityError(`quantity ${JSON.stringify(text)}: unknown suffix ${JSON.stringify(suffix)}`);
      exponent = Number(e[1]);
      if (Math.abs(exponent) > MAX_EXPONENT) {
        throw new QuantityError(`quantity ${JSON.stringify(text)}: exponent out of range`);
      }
    }
    if (exponent >= 0) num *= 10n ** BigInt(exponent);
    else den *= 10n ** BigInt(-exponent);
  }
  return reduce(num, den);
}

export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return reduce(a.num * b.den + b.num * a.den, a.den * b.den);
}

/** -1, 0 or 1 as a is less than, equal to or greater than b. */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** ceil(q * 1000): millicores for CPU. kubelet: Quantity.MilliValue. */
export function milliValue(q: Quantity): number {
  return toSafeNumber(ceilDiv(q.num * 1000n, q.den), q);
}

/** ceil(q): bytes for memory. kubelet: Quantity.Value. */
export function value(q: Quantity): number {
  return toSafeNumber(ceilDiv(q.num, q.den), q);
}

/** "250m" → 250, "2" → 2000. */
export function parseCpuMillis(text: string): number {
  return milliValue(parseQuantity(text));
}

/** "64Mi" → 67108864, "1G" → 1000000000. */
export function parseBytes(text: string): number {
  return value(parseQuantity(text));
}

function ceilDiv(num: bigint, den: bigint): bigint {
  const q = num / den; // truncates toward zero
  return num % den !== 0n && num > 0n ? q + 1n : q;
}

function toSafeNumber(n: bigint, q: Quantity): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new QuantityError(`quantity ${q.num}/${q.den} is too large`);
  }
  return Number(n);
}

function reduce(num: bigint, den: bigint): Quantity {
  const g = gcd(num < 0n ? -num : num, den);
  return g > 1n ? { num: num / g, den: den / g } : { num, den };
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** "2" for 2000 millicores, "1900m" otherwise: the canonical form the API server prints. */
export function formatMillicores(millis: number): string {
  const m = Math.max(0, Math.round(millis));
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

/** "<n>Ki" when the bytes are whole KiB (as the kubelet reports memory), else plain bytes. */
export function formatBytes(bytes: number): string {
  const b = Math.max(0, Math.floor(bytes));
  return b % 1024 === 0 && b > 0 ? `${b / 1024}Ki` : String(b);
}
