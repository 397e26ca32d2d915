// `--since`: the forms it takes, read strictly. Git's own date reader takes anything (`--since=banana` is "now",
// so a scan listed nothing and exited 0), and Date.parse is lenient too (`2024-02-30` is March 1st, `foo 2` is
// 2001): a value neither form below reads is a usage error, and both readers get the same instant.

export const SINCE_FORMS =
  'a date (2024-01-31: midnight UTC), a date and time (2024-01-31T14:30:00Z, 2024-01-31 14:30 +02:00; UTC without a zone) or a time ago ("2 weeks ago", "3.days", "yesterday")';

const DAY_MS = 86_400_000;
const UNIT_MS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: DAY_MS, week: 7 * DAY_MS };
// Without a prototype: `--since "2 constructor"` is an unknown unit, not Object's constructor.
const UNITS: Record<string, string> = Object.assign(Object.create(null), {
  s: 'second', sec: 'second', secs: 'second', second: 'second', seconds: 'second',
  min: 'minute', mins: 'minute', minute: 'minute', minutes: 'minute',
  h: 'hour', hour: 'hour', hours: 'hour',
  d: 'day', day: 'day', days: 'day',
  w: 'week', week: 'week', weeks: 'week',
  month: 'month', months: 'month',
  y: 'year', year: 'year', years: 'year',
});

const ABSOLUTE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const RELATIVE = /^(\d+|an?|one)[\s.]*([a-z]+)(?:[\s.]+ago)?$/i;

/** The instant (ms since the epoch) `--since` names, or undefined when it is none of SINCE_FORMS. */
export function parseSince(text: string, now: number = Date.now()): number | undefined {
  const s = text.trim();
  const lower = s.toLowerCase();
  if (lower === 'yesterday') return now - DAY_MS;
  const abs = ABSOLUTE.exec(s);
  if (abs) {
    const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone = 'Z'] = abs;
    const nums = [y, mo, d, h, mi, sec].map(Number);
    const ms = Date.UTC(nums[0], nums[1] - 1, nums[2], nums[3], nums[4], nums[5], Math.floor(Number(`0${frac || '.0'}`) * 1000));
    // Date.UTC rolls 2024-02-30 over to March 1st: a field out of range is no date.
    const back = new Date(ms);
    if (back.getUTCFullYear() !== nums[0] || back.getUTCMonth() !== nums[1] - 1 || back.getUTCDate() !== nums[2] || nums[3] > 23 || nums[4] > 59 || nums[5] > 59) {
      return undefined;
    }
    if (zone.toUpperCase() === 'Z') return ms;
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    const offset = (Number(z[2]) * 60 + Number(z[3] ?? 0)) * 60_000;
    if (Number(z[2]) > 14 || Number(z[3] ?? 0) > 59) return undefined;
    return z[1] === '+' ? ms - offset : ms + offset;
  }
  const rel = RELATIVE.exec(lower);
  if (!rel) return undefined;
  const unit = UNITS[rel[2]];
  if (!unit) return undefined;
  const n = /^\d+$/.test(rel[1]) ? Number(rel[1]) : 1;
  if (unit === 'month' || unit === 'year') {
    const d = new Date(now);
    d.setUTCMonth(d.getUTCMonth() - (unit === 'month' ? n : 12 * n));
    return d.getTime();
  }
  return now - n * UNIT_MS[unit];
}

/** The instant as both history readers take it: ISO 8601 in UTC, to the second. */
export function sinceInstant(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
