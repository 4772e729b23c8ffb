import { Flex, Label } from '@patternfly/react-core';
import { useQueries } from '@tanstack/react-query';
import { api, queryString } from '../api.ts';
import { statusLook } from '../shared/measures.ts';

const COUNTED = ['received', 'processing', 'success', 'error'];

/**
 * How many statuses of each kind the current filter holds (exact, from the
 * API's count); a count filters the list to that status, and again clears it.
 */
export function StatusCounts({
  params,
  selected,
  onSelect,
}: {
  params: Record<string, string | number | undefined>;
  selected?: string;
  onSelect: (status?: string) => void;
}) {
  const { page: _page, page_size: _size, sort_by: _sort, sort_dir: _dir, status: _status, ...filter } = params;
  const counts = useQueries({
    queries: COUNTED.map((status) => ({
      queryKey: ['/v1/statuses', 'count', filter, status],
      queryFn: () => api<{ count: number }>(`/v1/statuses${queryString({ ...filter, status, page_size: 1 })}`),
    })),
  });
  return (
    <Flex gap={{ default: 'gapSm' }} style={{ marginBottom: 'var(--pf-t--global--spacer--sm)' }} role="group" aria-label="Statuses by kind">
      {COUNTED.map((status, index) => (
        <Label
          key={status}
          color={statusLook(status).label}
          variant={selected === status ? 'filled' : 'outline'}
          onClick={() => onSelect(selected === status ? undefined : status)}
          data-testid={`count-${status}`}
        >
          {status}: {counts[index].data?.count.toLocaleString() ?? '…'}
        </Label>
      ))}
    </Flex>
  );
}
