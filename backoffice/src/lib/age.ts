// How long something has waited, as a support agent reads a queue: "4 min", "3 h", "2 days".

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The time from `since` (ISO 8601) to `now` (ms), rounded down to its largest unit. */
export function ageOf(since: string, now: number): string {
  const waited = Math.max(0, now - new Date(since).getTime());
  if (waited < MINUTE) return 'under a minute';
  if (waited < HOUR) return `${Math.floor(waited / MINUTE)} min`;
  if (waited < DAY) return `${Math.floor(waited / HOUR)} h`;
  const days = Math.floor(waited / DAY);
  return days === 1 ? '1 day' : `${days} days`;
}
