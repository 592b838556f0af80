/**
 * Days on the brand's calendar: a date field means a day where the brand is (Paris), not in
 * UTC nor where the browser is. `startOfDay('2026-03-02', 'Europe/Paris')` is the instant its
 * midnight falls (2026-03-01T23:00:00Z); `dayOf` is the inverse, for showing an instant's day.
 */
const parts = (timeZone) =>
  new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });

/** How far the zone's clock is ahead of UTC at `ms`. */
function offsetAt(ms, timeZone) {
  const p = Object.fromEntries(
    parts(timeZone)
      .formatToParts(new Date(ms))
      .map((x) => [x.type, x.value]),
  );
  const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The ISO instant of the zone's midnight starting `day` (YYYY-MM-DD), `plusDays` later. */
export function startOfDay(day, timeZone, plusDays = 0) {
  const [y, m, d] = day.split('-').map(Number);
  const utc = Date.UTC(y, m - 1, d + plusDays);
  // Twice: the offset at the guess may differ from the offset at the answer (a DST change).
  const first = utc - offsetAt(utc, timeZone);
  return new Date(utc - offsetAt(first, timeZone)).toISOString();
}

/** The zone's day (YYYY-MM-DD) of an ISO instant, less `minusMs` (to show an exclusive end). */
export function dayOf(iso, timeZone, minusMs = 0) {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(new Date(iso).getTime() - minusMs));
}
