/** The calendar date (YYYY-MM-DD) of an instant in a store's timezone: the day its books close on. */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function localDate(at: number, timeZone: string): string {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-CA', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      });
    } catch {
      // A timezone the runtime does not know: UTC is a stable, visible fallback rather than a crash.
      formatter = new Intl.DateTimeFormat('en-CA', {
        timeZone: 'UTC',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      });
    }
    formatters.set(timeZone, formatter);
  }
  return formatter.format(new Date(at));
}
