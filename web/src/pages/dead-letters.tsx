import { Alert, Button, ClipboardCopy, Flex } from '@patternfly/react-core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import { ListPage, type Column } from '../lists/list-page.tsx';
import { apiParams, withDefaults, type ListAnswer } from '../lists/list-search.ts';
import { DEAD_LETTER_LIST, type DeadLetterFilter as Filter, type DeadLetterSort as Sort } from '../lists/specs.ts';
import { deadLettersRoute } from '../router.tsx';
import { Time } from '../shared/time.tsx';
import './dead-letters.css';

interface DeadLetterRow {
  id: string;
  received_at: string;
  subject: string;
  stream: string;
  stream_sequence: string;
  reason: string;
  deliveries: number;
  body: string;
}

interface ReplayOutcome {
  replayed: number;
  stored: number;
  still_dead: number;
  remaining: number;
}

const COLUMNS: Column<DeadLetterRow, Sort>[] = [
  { title: 'Received', sort: 'received_at', cell: (row) => <Time value={row.received_at} />, nowrap: true },
  { title: 'Reason', cell: (row) => row.reason },
  { title: 'Subject', cell: (row) => <code>{row.subject}</code> },
  { title: 'Deliveries', cell: (row) => row.deliveries },
  {
    title: 'Sequence',
    cell: (row) => <span title={`message ${row.stream_sequence} of the stream ${row.stream}`}>#{row.stream_sequence}</span>,
    nowrap: true,
  },
];

const FILTERS: { key: Filter; label: string }[] = [
  { key: 'reason', label: 'Reason contains' },
  { key: 'subject', label: 'Subject' },
];

const replayed = (outcome: ReplayOutcome) =>
  `${outcome.replayed} read again: ${outcome.stored} stored, ${outcome.still_dead} still refused` +
  (outcome.remaining > 0 ? `; ${outcome.remaining} more match, replay again for them` : '');

/** Replay and delete, for the whole filter or one letter; the list is read again after each. */
function useActions() {
  const queryClient = useQueryClient();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: [DEAD_LETTER_LIST.endpoint] });
  const replay = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      api<ReplayOutcome>(`${DEAD_LETTER_LIST.endpoint}/replay`, { method: 'POST', body: JSON.stringify(body) }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => api(`${DEAD_LETTER_LIST.endpoint}/${id}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
  return { replay, remove };
}

/** A letter opened: its body as published, and what can be done with it. */
function Letter({ row }: { row: DeadLetterRow }) {
  const { replay, remove } = useActions();
  return (
    <Flex direction={{ default: 'column' }} gap={{ default: 'gapSm' }} className="dead-letter__body">
      <ClipboardCopy isReadOnly isCode hoverTip="Copy" clickTip="Copied" variant="expansion" isExpanded>
        {row.body}
      </ClipboardCopy>
      <Flex gap={{ default: 'gapSm' }}>
        <Button variant="secondary" size="sm" onClick={() => replay.mutate({ ids: [row.id] })} isLoading={replay.isPending}>
          Replay
        </Button>
        <Button variant="link" isDanger size="sm" onClick={() => remove.mutate(row.id)} isLoading={remove.isPending}>
          Delete
        </Button>
      </Flex>
      {replay.data && <Alert variant={replay.data.stored ? 'success' : 'warning'} isInline isPlain title={replayed(replay.data)} />}
      {(replay.error ?? remove.error) && <Alert variant="danger" isInline isPlain title={(replay.error ?? remove.error)?.message} />}
    </Flex>
  );
}

/** Replays every letter the filter matches (1,000 a time, as the API does). */
function ReplayAll({ answer, filter }: { answer?: ListAnswer<DeadLetterRow>; filter: Record<string, unknown> }) {
  const { replay } = useActions();
  // The outcome of a replay stays in view after it has emptied the list.
  if (!answer?.count && !replay.data) return null;
  return (
    <Flex
      gap={{ default: 'gapSm' }}
      alignItems={{ default: 'alignItemsCenter' }}
      style={{ marginBottom: 'var(--pf-t--global--spacer--sm)' }}
    >
      {answer?.count ? (
        <>
          <Button variant="secondary" onClick={() => replay.mutate(filter)} isLoading={replay.isPending}>
            Replay the {answer.count.toLocaleString()} that match
          </Button>
          <small>after a fix: those now valid are stored and leave the list; the others stay, with today&apos;s reason</small>
        </>
      ) : null}
      {replay.data && <Alert variant={replay.data.stored ? 'success' : 'warning'} isInline isPlain title={replayed(replay.data)} />}
      {replay.error && <Alert variant="danger" isInline isPlain title={replay.error.message} />}
    </Flex>
  );
}

/** Bus messages the consumer could not store, newest first: why, the body as published; replay after a fix, delete. */
export default function DeadLetters() {
  const navigate = deadLettersRoute.useNavigate();
  const search = withDefaults(DEAD_LETTER_LIST, deadLettersRoute.useSearch());
  const change = (changes: Partial<typeof search>) => void navigate({ search: (previous) => ({ ...previous, ...changes }) });
  // What the list shows is what a replay of all takes: its filters and time range, without paging or order.
  const { page: _page, page_size: _size, sort_by: _by, sort_dir: _dir, ...filter } = apiParams(search, DEAD_LETTER_LIST.timeField);
  return (
    <ListPage
      title="Dead letters"
      noun="dead letters"
      one="dead letter"
      spec={DEAD_LETTER_LIST}
      columns={COLUMNS}
      filters={FILTERS}
      search={search}
      onChange={change}
      access={{
        allowed: (session) => session.scopes.includes('dead-letters:manage'),
        needs: 'Dead letters need a token with dead-letters:manage',
      }}
      summary={(answer) => <ReplayAll answer={answer} filter={filter} />}
      expanded={(row) => <Letter row={row} />}
    />
  );
}
