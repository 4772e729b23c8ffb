import { TextInput } from '@patternfly/react-core';

/** The report formats of the report job and schedule APIs. */
export const FORMATS = ['csv', 'json', 'json_bulk'] as const;

/** The zones the browser knows, suggested as a zone is typed (the server decides which it takes). */
const ZONES = Intl.supportedValuesOf('timeZone');

/** A time zone box that suggests the IANA names. */
export function TimeZoneInput({ id, value, onChange }: { id: string; value: string; onChange: (value: string) => void }) {
  return (
    <>
      <TextInput id={id} value={value} onChange={(_event, text) => onChange(text)} list={`${id}-zones`} />
      <datalist id={`${id}-zones`}>
        {ZONES.map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
    </>
  );
}
