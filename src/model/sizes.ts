/**
 * Bucket size limits: integer bytes, or a decimal number with a binary unit
 * (1 KB = 1024 B). Computed with integers so that `1.1MB` gives the same bytes
 * on every machine, never one less through a floating-point rounding.
 */
export type ParsedSize = { ok: true; bytes: number } | { ok: false; message: string };

const UNITS: Readonly<Record<string, bigint>> = { b: 1n, kb: 1024n, mb: 1024n ** 2n, gb: 1024n ** 3n };
/** Storage keeps the limit as bigint; 2^53 keeps it exact as a JavaScript number too. */
const MAX_BYTES = 2n ** 53n;
const SIZE_TEXT = /^(\d+)(?:\.(\d+))? *([a-z]+)$/i;
const EXPECTED = 'expected a whole number of bytes or a number with a unit B, KB, MB or GB, such as 5MB';

function withinLimits(bytes: bigint, written: string): ParsedSize {
  if (bytes < 1n) return { ok: false, message: `size ${written} is less than 1 byte` };
  if (bytes > MAX_BYTES) return { ok: false, message: `size ${written} is larger than ${MAX_BYTES} bytes` };
  return { ok: true, bytes: Number(bytes) };
}

export function parseSize(value: number | string): ParsedSize {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) {
      return { ok: false, message: `size ${value} is not a whole number of bytes; ${EXPECTED}` };
    }
    if (value > Number(MAX_BYTES)) return { ok: false, message: `size ${value} is larger than ${MAX_BYTES} bytes` };
    return withinLimits(BigInt(value), String(value));
  }
  // A string always carries its unit: a bare number is written as a YAML integer.
  const m = SIZE_TEXT.exec(value.trim());
  const unit = m === null ? undefined : UNITS[(m[3] as string).toLowerCase()];
  if (!m || unit === undefined) return { ok: false, message: `size ${JSON.stringify(value)} is not understood; ${EXPECTED}` };
  const whole = m[1] as string;
  const fraction = m[2] ?? '';
  // (whole.fraction × unit) rounded down, in exact integer arithmetic.
  const scale = 10n ** BigInt(fraction.length);
  const bytes = (BigInt(whole + fraction) * unit) / scale;
  return withinLimits(bytes, `"${value}"`);
}
