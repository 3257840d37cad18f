/**
 * Durations in the security config: seconds as a number, or a string with a unit
 * (`"90s"`, `"15m"`, `"1h"`, `"30d"`, `"2w"`, `"1y"` = 365 days). A bare numeric string means seconds.
 */
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };
const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w|y)?$/;

/** Longest duration accepted anywhere (100 years): beyond it a number is a typo, not a policy. */
export const MAX_DURATION_SECONDS = 100 * 365 * 86_400;

/** Returns the duration in seconds, or `null` when `value` is not a valid duration. */
export function parseDuration(value: unknown): number | null {
  let seconds: number;
  if (typeof value === 'number') {
    seconds = value;
  } else if (typeof value === 'string') {
    const match = DURATION.exec(value.trim());
    if (!match) return null;
    seconds = Number(match[1]) * UNIT_SECONDS[match[2] ?? 's']!;
  } else {
    return null;
  }
  if (!Number.isFinite(seconds) || seconds > MAX_DURATION_SECONDS) return null;
  return seconds;
}
