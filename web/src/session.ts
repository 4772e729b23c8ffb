import { useQuery } from '@tanstack/react-query';
import { api } from './api.ts';

/** Who the console acts as: `GET /whoami`. */
export interface Session {
  via: 'token' | 'identity' | 'none';
  org_id: string | null;
  user: string | null;
  all_orgs: boolean;
  scopes: string[];
  archive_links: boolean;
  read_access: 'open' | 'authenticated';
}

export const useSession = () => useQuery({ queryKey: ['whoami'], queryFn: () => api<Session>('/whoami'), staleTime: 60_000 });

/** Whether the session may read payloads and statuses. */
export const canReadPayloads = (session: Session) => session.read_access === 'open' || session.scopes.includes('payloads:read');
