import { Spinner } from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api.ts';
import { lanesOf } from './lanes.ts';
import { Timeline } from './timeline.tsx';
import type { PayloadDetail } from './use-live-payload.ts';

/** A payload's timeline inside an open row of a list. */
export function PayloadPreview({ requestId }: { requestId: string }) {
  const detail = useQuery({
    queryKey: ['payload', requestId],
    queryFn: () => api<PayloadDetail>(`/v1/payloads/${encodeURIComponent(requestId)}?sort_by=date&sort_dir=asc`),
  });
  if (detail.isError) return <span>The payload could not be read: {detail.error.message}</span>;
  if (!detail.data) return <Spinner size="md" aria-label="Reading the payload" />;
  return <Timeline lanes={lanesOf(detail.data.data)} typical={new Map()} />;
}
