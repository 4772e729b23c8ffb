import { Flex, Label } from '@patternfly/react-core';
import { useQueries } from '@tanstack/react-query';
import { api, queryString } from '../api.ts';
import { statusLook } from '../shared/measures.ts';

const COUNTED = ['received', 'processing', 'success', 'error'];

/**
 * How many rows of each status the current filter holds (exact, from the
 * API's count): statuses by `status`, payloads by `last_status`. A count
 * filters the list to that status, and again clears it.
 */
export function StatusCounts({
  endpoint,
  field,
  params,
  selected,
  onSelect,
}: {
  endpoint: string;
  field: 'status' | 'last_status';
  params: Record<string, string | number | undefined>;
  selected?: string;
  onSelect: (status?: string) => void;
}) {
  const { page: _page, page_size: _size, sort_by: _sort, sort_dir: _dir, [field]: _status, ...filter } = params;
  const counts = useQueries({
    queries: COUNTED.map((status) => ({
      queryKey: [endpoint, 'count', filter, status],
      queryFn: () => api<{ count: number }>(`${endpoint}${queryString({ ...filter, [field]: status, page_size: 1 })}`),
    })),
  });
  return (
    <Flex
      gap={{ default: 'gapSm' }}
      style={{ marginBottom: 'var(--pf-t--global--spacer--sm)' }}
      role="group"
      aria-label={`By ${field.replace('_', ' ')}`}
    >
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
