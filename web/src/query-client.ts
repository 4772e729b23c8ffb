import { QueryClient } from '@tanstack/react-query';

// One request at a time per query; a failed one is retried once, and never on a 4xx.
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: (count, error) => count < 1 && !('status' in error && Number(error.status) < 500), refetchOnWindowFocus: false },
  },
});
