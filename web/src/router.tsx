import { createRootRoute, createRoute, createRouter, redirect } from '@tanstack/react-router';
import { lazy } from 'react';
import { Layout } from './layout.tsx';
import { payloadSearch } from './pages/payload-search.ts';
import { SignIn } from './pages/sign-in.tsx';

// Each page is its own chunk, loaded when first shown.
const Payloads = lazy(() => import('./pages/payloads.tsx'));

const root = createRootRoute({ component: Layout });

const index = createRoute({
  getParentRoute: () => root,
  path: '/',
  beforeLoad: () => redirect({ to: '/payloads', throw: true }),
});

export const payloadsRoute = createRoute({
  getParentRoute: () => root,
  path: '/payloads',
  validateSearch: payloadSearch,
  component: Payloads,
});

export const signInRoute = createRoute({ getParentRoute: () => root, path: '/sign-in', component: SignIn });

export const router = createRouter({ routeTree: root.addChildren([index, payloadsRoute, signInRoute]), basepath: '/ui' });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
