import '@patternfly/react-core/dist/styles/base.css';
import { QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { queryClient } from './query-client.ts';
import { router } from './router.tsx';
import { ZoneProvider } from './shared/time.tsx';

// Follows the viewer's colour scheme with PatternFly's dark theme.
const dark = window.matchMedia('(prefers-color-scheme: dark)');
const applyTheme = () => document.documentElement.classList.toggle('pf-v6-theme-dark', dark.matches);
applyTheme();
dark.addEventListener('change', applyTheme);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ZoneProvider>
        <RouterProvider router={router} />
      </ZoneProvider>
    </QueryClientProvider>
  </StrictMode>,
);
