import { Button, TextInput, ToggleGroup, ToggleGroupItem, ToolbarGroup, ToolbarItem } from '@patternfly/react-core';
import AngleLeftIcon from '@patternfly/react-icons/dist/esm/icons/angle-left-icon';
import AngleRightIcon from '@patternfly/react-icons/dist/esm/icons/angle-right-icon';
import { formatTime, useZone, type Zone } from '../shared/time.tsx';
import { QUICK_PICKS, resolveRange, shiftRange, type RangeSearch } from './time-range.ts';

/** `2026-11-26T09:00` for a datetime-local input, in the zone shown. */
const toInput = (date: Date | undefined, zone: Zone) => (date ? formatTime(date, zone).replace(' ', 'T').slice(0, 16) : '');
const fromInput = (text: string, zone: Zone) => {
  if (text === '') return undefined;
  const date = new Date(zone === 'utc' ? `${text}:00Z` : text);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
};

/** Quick picks (15 min … 7 days), absolute from/to, and ◀ ▶ to move the range by its length. */
export function TimeRangePicker({ range, onChange }: { range: RangeSearch; onChange: (range: RangeSearch) => void }) {
  const zone = useZone();
  const { from, to } = resolveRange(range);
  const fixed = range.last === undefined;
  return (
    <ToolbarGroup variant="filter-group">
      <ToolbarItem>
        <ToggleGroup isCompact aria-label="Time range">
          {QUICK_PICKS.map((pick) => (
            <ToggleGroupItem
              key={pick.last}
              text={pick.label}
              buttonId={`last-${pick.last}`}
              isSelected={range.last === pick.last}
              onChange={() => onChange(range.last === pick.last ? {} : { last: pick.last })}
            />
          ))}
        </ToggleGroup>
      </ToolbarItem>
      {/* Fixed instants need room: on a narrow window the quick picks stay. */}
      <ToolbarItem visibility={{ default: 'hidden', md: 'visible' }}>
        <Button
          variant="plain"
          aria-label="Earlier"
          isDisabled={!from}
          onClick={() => onChange(shiftRange(range, -1))}
          icon={<AngleLeftIcon />}
        />
        <TextInput
          type="datetime-local"
          aria-label="From"
          value={toInput(from, zone)}
          onChange={(_event, text) => onChange({ from: fromInput(text, zone), to: fixed ? range.to : undefined })}
          style={{ width: '12.5rem' }}
        />
        <span aria-hidden> – </span>
        <TextInput
          type="datetime-local"
          aria-label="To"
          value={toInput(to, zone)}
          onChange={(_event, text) => onChange({ from: from?.toISOString(), to: fromInput(text, zone) })}
          style={{ width: '12.5rem' }}
        />
        <Button
          variant="plain"
          aria-label="Later"
          isDisabled={!from}
          onClick={() => onChange(shiftRange(range, 1))}
          icon={<AngleRightIcon />}
        />
      </ToolbarItem>
    </ToolbarGroup>
  );
}
