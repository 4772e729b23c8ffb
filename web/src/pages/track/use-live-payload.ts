import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../../api.ts';
import { readEventStream } from '../../shared/event-stream.ts';

export interface PayloadStatus {
  id: number;
  service: string;
  source?: string;
  status: string;
  status_msg?: string;
  date: string;
  created_at: string;
  request_id?: string;
  account?: string;
  org_id?: string;
  inventory_id?: string;
  system_id?: string;
}

export interface PayloadDetail {
  data: PayloadStatus[];
  duration: Record<string, string>;
}

/** How the page learns of new statuses: the event stream, or polling while the stream cannot be had. */
export type Liveness = 'connecting' | 'live' | 'polling';

const POLL_MS = 5000;
const RETRY_STREAM_MS = 30_000;

/**
 * A payload's detail, kept current: the server-sent events of
 * `/v1/payloads/{id}/events` replace it as statuses arrive; while the stream
 * cannot be opened the detail is polled, and the stream tried again now and then.
 */
export function useLivePayload(requestId: string) {
  const queryClient = useQueryClient();
  const queryKey = ['payload', requestId];
  const [liveness, setLiveness] = useState<Liveness>('connecting');
  const detail = useQuery({
    queryKey,
    queryFn: () => api<PayloadDetail>(`/v1/payloads/${encodeURIComponent(requestId)}?sort_by=date&sort_dir=asc`),
    refetchInterval: liveness === 'polling' ? POLL_MS : false,
  });
  const found = detail.isSuccess;

  useEffect(() => {
    if (!found) return;
    const controller = new AbortController();
    let retry: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      setLiveness('connecting');
      readEventStream(
        `/v1/payloads/${encodeURIComponent(requestId)}/events`,
        (event, data) => {
          if (event === 'payload') {
            setLiveness('live');
            queryClient.setQueryData(['payload', requestId], data);
          }
        },
        controller.signal,
      )
        // The server ended the stream (its lifetime, a restart): open a new one.
        .then(() => !controller.signal.aborted && connect())
        .catch(() => {
          if (controller.signal.aborted) return;
          setLiveness('polling');
          retry = setTimeout(connect, RETRY_STREAM_MS);
        });
    };
    connect();
    return () => {
      controller.abort();
      clearTimeout(retry);
    };
  }, [requestId, found, queryClient]);

  return { detail, liveness };
}
