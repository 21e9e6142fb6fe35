/** Typed readings of policy and context values, shared by the condition operators. */

// Module-level: a regex literal inside a function is a new object on every call.
const EPOCH = /^-?\d+(\.\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;
const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/**
 * Date values: ISO 8601 (date, or date and time) or epoch seconds, as AWS accepts for
 * the Date operators (aws:CurrentTime is ISO, aws:EpochTime is seconds). Returns
 * milliseconds, or NaN when the value is not a date.
 */
export function parseDate(value: string): number {
  if (EPOCH.test(value)) return Number(value) * 1000;
  if (!ISO_DATE.test(value)) return NaN;
  return Date.parse(value);
}

/** Numeric values: integers and decimals. NaN when the value is not a number. */
export function parseNumber(value: string): number {
  if (!NUMBER.test(value)) return NaN;
  return Number(value);
}
