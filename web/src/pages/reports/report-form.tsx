import { ActionGroup, Alert, Button, Form, FormSelect, FormSelectOption, Grid, GridItem, TextInput } from '@patternfly/react-core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ApiError } from '../../api.ts';
import { Field, refusal } from '../../shared/field.tsx';
import { FORMATS, TimeZoneInput } from '../../shared/report-options.tsx';

const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** Asks for a report job; the API's field errors show under their fields. */
export function ReportForm({ type, maxSpanDays }: { type: string; maxSpanDays?: number }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [format, setFormat] = useState<string>('csv');
  const [timezone, setTimezone] = useState(Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [from, setFrom] = useState(isoDay(-7));
  const [to, setTo] = useState(isoDay(1));
  const create = useMutation({
    mutationFn: () =>
      api(`/data/reports/${type}/jobs`, {
        method: 'POST',
        body: JSON.stringify({ ...(name.trim() ? { name: name.trim() } : {}), format, timezone, timespan: { from, to } }),
      }),
    onSuccess: () => {
      setName('');
      void queryClient.invalidateQueries({ queryKey: ['report-jobs'] });
      void queryClient.invalidateQueries({ queryKey: ['report-quota'] });
    },
  });
  const problems = create.error instanceof ApiError ? create.error.fieldProblems() : {};
  return (
    <Form
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate();
      }}
    >
      <Grid hasGutter md={4} xl={2}>
        <GridItem>
          <Field label="Name" id="report-name" problem={problems.name}>
            <TextInput id="report-name" value={name} onChange={(_event, value) => setName(value)} placeholder={`${type} report`} />
          </Field>
        </GridItem>
        <GridItem>
          <Field label="Format" id="report-format" problem={problems.format}>
            <FormSelect id="report-format" value={format} onChange={(_event, value) => setFormat(value)}>
              {FORMATS.map((option) => (
                <FormSelectOption key={option} value={option} label={option} />
              ))}
            </FormSelect>
          </Field>
        </GridItem>
        <GridItem>
          <Field label="Time zone" id="report-timezone" problem={problems.timezone}>
            <TimeZoneInput id="report-timezone" value={timezone} onChange={setTimezone} />
          </Field>
        </GridItem>
        <GridItem>
          <Field label="From (inclusive)" id="report-from" problem={problems['timespan.from'] ?? problems.timespan}>
            <TextInput id="report-from" type="date" value={from} onChange={(_event, value) => setFrom(value)} />
          </Field>
        </GridItem>
        <GridItem>
          <Field
            label="To (exclusive)"
            id="report-to"
            problem={problems['timespan.to']}
            hint={`at most ${maxSpanDays ?? 31} days after From`}
          >
            <TextInput id="report-to" type="date" value={to} onChange={(_event, value) => setTo(value)} />
          </Field>
        </GridItem>
      </Grid>
      {create.isError && (
        <Alert
          variant="danger"
          isInline
          title={refusal(create.error, (field) => ['name', 'format', 'timezone', 'timespan'].includes(field.split('.')[0]))}
        />
      )}
      {create.isSuccess && <Alert variant="success" isInline isPlain title="Asked for: it shows in the list below as it runs" />}
      <ActionGroup>
        <Button type="submit" isLoading={create.isPending}>
          Ask for the report
        </Button>
      </ActionGroup>
    </Form>
  );
}
