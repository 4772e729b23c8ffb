import { ToggleGroup, ToggleGroupItem } from '@patternfly/react-core';
import { createContext, useContext, useState, type ReactNode } from 'react';

/** Whether times read in UTC (as the API gives them) or in the viewer's zone; the choice is kept in the browser. */
export type Zone = 'utc' | 'local';

const ZONE_KEY = 'tracker.zone';
const ZoneContext = createContext<{ zone: Zone; setZone: (zone: Zone) => void }>({ zone: 'utc', setZone: () => {} });

export function ZoneProvider({ children }: { children: ReactNode }) {
  const [zone, setZoneState] = useState<Zone>(() => (localStorage.getItem(ZONE_KEY) === 'local' ? 'local' : 'utc'));
  const setZone = (next: Zone) => {
    localStorage.setItem(ZONE_KEY, next);
    setZoneState(next);
  };
  return <ZoneContext value={{ zone, setZone }}>{children}</ZoneContext>;
}

export const useZone = () => useContext(ZoneContext).zone;

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** The viewer's zone as a short name: "CET", "GMT+1". */
export const localZoneName = () =>
  new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' }).formatToParts(new Date()).find((part) => part.type === 'timeZoneName')
    ?.value ?? 'local';

/** `2026-11-26 09:00:00` in the zone chosen, seconds always shown. */
export function formatTime(value: string | Date, zone: Zone, withMillis = false): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  const utc = zone === 'utc';
  const parts = utc
    ? [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    : [date.getFullYear(), date.getMonth() + 1, date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds()];
  const [year, month, day, hours, minutes, seconds] = parts;
  const millis = withMillis ? `.${pad(date.getUTCMilliseconds(), 3)}` : '';
  return `${year}-${pad(month)}-${pad(day)} ${pad(hours)}:${pad(minutes)}:${pad(seconds)}${millis}`;
}

/** A time in the zone chosen, the full instant as the API gave it on hover. */
export function Time({ value, withMillis }: { value: string; withMillis?: boolean }) {
  const zone = useZone();
  return (
    <time dateTime={value} title={value} style={{ whiteSpace: 'nowrap' }}>
      {formatTime(value, zone, withMillis)} {zone === 'utc' ? 'UTC' : localZoneName()}
    </time>
  );
}

/** The masthead's UTC / local switch. */
export function ZoneToggle() {
  const { zone, setZone } = useContext(ZoneContext);
  return (
    <ToggleGroup isCompact aria-label="Time zone of the times shown">
      <ToggleGroupItem text="UTC" buttonId="zone-utc" isSelected={zone === 'utc'} onChange={() => setZone('utc')} />
      <ToggleGroupItem
        text="Local"
        aria-label={`Local time (${localZoneName()})`}
        buttonId="zone-local"
        isSelected={zone === 'local'}
        onChange={() => setZone('local')}
      />
    </ToggleGroup>
  );
}
