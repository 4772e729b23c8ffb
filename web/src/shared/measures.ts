/** Seconds from the API's `HH:MM:SS.ffffff` durations. */
export function durationSeconds(text: string): number {
  const [hours, minutes, seconds] = text.split(':').map(Number);
  return hours * 3600 + minutes * 60 + seconds;
}

/** A duration as a person reads it: 850 ms, 12.4 s, 3 min 05 s, 2 h 04 min. */
export function humanDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const whole = Math.round(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
  if (whole < 86_400) return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')} min`;
  return `${Math.floor(whole / 86_400)} d ${Math.floor((whole % 86_400) / 3600)} h`;
}

/** How each status looks: errors stand out, success and the rest read apart. */
export const STATUS_LOOKS: Record<string, { label: 'red' | 'green' | 'blue' | 'grey'; colour: string }> = {
  error: { label: 'red', colour: 'var(--pf-t--global--color--status--danger--default)' },
  success: { label: 'green', colour: 'var(--pf-t--global--color--status--success--default)' },
  received: { label: 'blue', colour: 'var(--pf-t--global--color--status--info--default)' },
  processing: { label: 'blue', colour: 'var(--pf-t--global--color--status--info--default)' },
};
export const statusLook = (status: string) =>
  STATUS_LOOKS[status] ?? { label: 'grey' as const, colour: 'var(--pf-t--global--color--nonstatus--gray--default)' };
