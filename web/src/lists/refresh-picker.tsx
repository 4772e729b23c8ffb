import { ToggleGroup, ToggleGroupItem } from '@patternfly/react-core';
import { REFRESH_SECONDS } from './list-search.ts';

/** Auto-refresh: off, every 5 s or every 30 s. */
export function RefreshPicker({ seconds, paused, onChange }: { seconds?: number; paused: boolean; onChange: (seconds?: number) => void }) {
  return (
    <ToggleGroup isCompact aria-label={paused ? 'Auto-refresh (paused while a row is open)' : 'Auto-refresh'}>
      <ToggleGroupItem text="Off" buttonId="refresh-off" isSelected={seconds === undefined} onChange={() => onChange(undefined)} />
      {REFRESH_SECONDS.map((every) => (
        <ToggleGroupItem
          key={every}
          text={seconds === every && paused ? `${every} s (paused)` : `${every} s`}
          buttonId={`refresh-${every}`}
          isSelected={seconds === every}
          onChange={() => onChange(every)}
        />
      ))}
    </ToggleGroup>
  );
}
