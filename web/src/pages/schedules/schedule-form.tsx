import {
  Alert,
  Button,
  Form,
  FormSelect,
  FormSelectOption,
  Grid,
  GridItem,
  List,
  ListItem,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  Spinner,
  TextArea,
  TextInput,
} from '@patternfly/react-core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ApiError } from '../../api.ts';
import { Field, refusal } from '../../shared/field.tsx';
import { formatTime, localZoneName } from '../../shared/time.tsx';
import { FORMATS, TimeZoneInput } from '../../shared/report-options.tsx';
import { SCHEDULES, type Schedule } from './schedule-types.ts';

/** The attributes the form has a field for. */
const SHOWN = ['name', 'type', 'schedule', 'timezone', 'format', 'send_to', 'hosts', 'services'];
const TYPES = ['statuses', 'payloads', 'success-rate', 'generic'];
const FREQUENCIES = ['daily', 'weekly', 'monthly'];

/** A list box's entries: one per line or comma. */
const entries = (text: string) =>
  text
    .split(/[\n,]+/)
    .map((entry) => entry.trim())
    .filter(Boolean);

/** An instant in a named zone, as `Mon 30 Nov 2026, 00:00`. */
export const inZone = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));

/** The next runs, computed by the server as the scheduler will: in the schedule's zone and the viewer's. */
function RunPreview({ schedule, timezone, saved }: { schedule: string; timezone: string; saved?: string[] }) {
  const preview = useQuery({
    queryKey: ['schedule-preview', schedule, timezone],
    queryFn: () =>
      api<{ data: { next_runs: string[] } }>(`${SCHEDULES}/preview`, { method: 'POST', body: JSON.stringify({ schedule, timezone }) }),
    enabled: saved === undefined && timezone.trim() !== '',
    retry: false,
  });
  const runs = saved ?? preview.data?.data.next_runs;
  if (preview.isError) return <span>No preview: {preview.error.message}</span>;
  if (!runs) return <Spinner size="sm" aria-label="Working out the next runs" />;
  const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <List aria-label="Next runs" data-testid="next-runs">
      {runs.map((run) => (
        <ListItem key={run}>
          {inZone(run, timezone)} <small>({timezone})</small>
          {local !== timezone && (
            <small>
              {' '}
              · {formatTime(run, 'local').slice(0, 16)} {localZoneName()}
            </small>
          )}
        </ListItem>
      ))}
    </List>
  );
}

/** Creates a schedule, or changes one; the API's complaints show under their fields. */
export function ScheduleForm({ editing, onClose }: { editing?: Schedule; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(editing?.name ?? '');
  const [type, setType] = useState(editing?.type ?? 'statuses');
  const [frequency, setFrequency] = useState(editing?.schedule ?? 'daily');
  const [timezone, setTimezone] = useState(editing?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [format, setFormat] = useState(editing?.format ?? 'csv');
  const [sendTo, setSendTo] = useState(editing?.send_to.join('\n') ?? '');
  const [hosts, setHosts] = useState(editing?.hosts.join('\n') ?? '');
  const [services, setServices] = useState(editing?.services?.join('\n') ?? '');
  const save = useMutation({
    mutationFn: () => {
      const attrs = {
        name,
        type,
        schedule: frequency,
        timezone,
        format,
        send_to: entries(sendTo),
        hosts: entries(hosts),
        services: entries(services).length > 0 ? entries(services) : null,
        send_via: 'email',
      };
      return editing
        ? api(`${SCHEDULES}/${editing.id}`, { method: 'PUT', body: JSON.stringify({ attrs }) })
        : api(SCHEDULES, { method: 'POST', body: JSON.stringify({ attrs }) });
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['schedules'] });
      onClose();
    },
  });
  const problems = save.error instanceof ApiError ? save.error.fieldProblems() : {};
  // `send_to.1: must be an e-mail address` shows under Send to.
  const problemOf = (field: string) => problems[field] ?? Object.entries(problems).find(([key]) => key.startsWith(`${field}.`))?.[1];
  // A saved schedule keeps its runs unless its frequency or zone changes: then it starts again from now.
  const unchanged = editing && editing.schedule === frequency && editing.timezone === timezone;
  const select = (id: string, value: string, options: string[], onChange: (value: string) => void) => (
    <FormSelect id={id} value={value} onChange={(_event, next) => onChange(next)}>
      {options.map((option) => (
        <FormSelectOption key={option} value={option} label={option} />
      ))}
    </FormSelect>
  );
  return (
    <Modal isOpen onClose={onClose} variant="medium" aria-labelledby="schedule-form-title">
      <ModalHeader title={editing ? `Change “${editing.name}”` : 'New schedule'} labelId="schedule-form-title" />
      <ModalBody>
        <Form
          id="schedule-form"
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate();
          }}
        >
          <Grid hasGutter md={6}>
            <GridItem>
              <Field label="Name" id="schedule-name" problem={problemOf('name')}>
                <TextInput id="schedule-name" value={name} onChange={(_event, value) => setName(value)} isRequired />
              </Field>
            </GridItem>
            <GridItem>
              <Field label="Report" id="schedule-type" problem={problemOf('type')}>
                {select('schedule-type', type, TYPES, setType)}
              </Field>
            </GridItem>
            <GridItem>
              <Field label="Every" id="schedule-frequency" problem={problemOf('schedule')} hint="each period is reported when it ends">
                {select('schedule-frequency', frequency, FREQUENCIES, setFrequency)}
              </Field>
            </GridItem>
            <GridItem>
              <Field label="Time zone" id="schedule-timezone" problem={problemOf('timezone')}>
                <TimeZoneInput id="schedule-timezone" value={timezone} onChange={setTimezone} />
              </Field>
            </GridItem>
            <GridItem>
              <Field label="Format" id="schedule-format" problem={problemOf('format')}>
                {select('schedule-format', format, [...FORMATS], setFormat)}
              </Field>
            </GridItem>
            <GridItem>
              <Field label="Send to (one address a line)" id="schedule-send-to" problem={problemOf('send_to')}>
                <TextArea id="schedule-send-to" value={sendTo} onChange={(_event, value) => setSendTo(value)} rows={2} />
              </Field>
            </GridItem>
            <GridItem>
              <Field
                label="Hosts (optional)"
                id="schedule-hosts"
                problem={problemOf('hosts')}
                hint="host names, or inventory, system or cluster IDs"
              >
                <TextArea id="schedule-hosts" value={hosts} onChange={(_event, value) => setHosts(value)} rows={2} />
              </Field>
            </GridItem>
            <GridItem>
              <Field label="Services (optional)" id="schedule-services" problem={problemOf('services')}>
                <TextArea id="schedule-services" value={services} onChange={(_event, value) => setServices(value)} rows={2} />
              </Field>
            </GridItem>
          </Grid>
          <Field label="Next runs" id="schedule-next-runs">
            <RunPreview schedule={frequency} timezone={timezone} saved={unchanged ? editing.next_runs : undefined} />
          </Field>
          {save.isError && <Alert variant="danger" isInline title={refusal(save.error, (field) => SHOWN.includes(field.split('.')[0]))} />}
        </Form>
      </ModalBody>
      <ModalFooter>
        <Button type="submit" form="schedule-form" isLoading={save.isPending}>
          {editing ? 'Save' : 'Create'}
        </Button>
        <Button variant="link" onClick={onClose}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}
