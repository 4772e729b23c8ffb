import { createRootRoute, createRoute, createRouter, redirect, type RouteComponent } from '@tanstack/react-router';
import { lazy } from 'react';
import { Layout } from './layout.tsx';
import { listQuery, searchReader, withDefaults, type ListSpec } from './lists/list-search.ts';
import { queryClient } from './query-client.ts';
import { readRange } from './lists/time-range.ts';
import { DEAD_LETTER_LIST, PAYLOAD_LIST, STATUS_LIST, STUCK_LIST } from './lists/specs.ts';

/** The report job API's types (`/data/reports/{type}/jobs`). */
export const REPORT_TYPES = ['statuses', 'payloads', 'success-rate'] as const;
type ReportType = (typeof REPORT_TYPES)[number];

// Each page is its own chunk, loaded when first shown.
const Payloads = lazy(() => import('./pages/payloads.tsx'));
const Statuses = lazy(() => import('./pages/statuses.tsx'));
const Stuck = lazy(() => import('./pages/stuck.tsx'));
const SuccessRate = lazy(() => import('./pages/success-rate.tsx'));
const Gathering = lazy(() => import('./pages/gathering.tsx'));
const Reports = lazy(() => import('./pages/reports/reports.tsx'));
const Schedules = lazy(() => import('./pages/schedules/schedules.tsx'));
const Tasks = lazy(() => import('./pages/tasks/tasks.tsx'));
const SignIn = lazy(() => import('./pages/sign-in.tsx'));
const Track = lazy(() => import('./pages/track/track.tsx'));
const DeadLetters = lazy(() => import('./pages/dead-letters.tsx'));

/** A page number of a URL, from 0; left out when it is the first or not one. */
const pageOf = (value: unknown) => (Number.isInteger(value) && Number(value) > 0 ? Number(value) : undefined);

const root = createRootRoute({ component: Layout });

const index = createRoute({
  getParentRoute: () => root,
  path: '/',
  beforeLoad: () => redirect({ to: '/payloads', throw: true }),
});

/**
 * A list page's route: its URL read by the spec, and its rows asked for while
 * the page's code loads (the page's query finds them under the same key).
 */
function listRoute<Sort extends string, Filter extends string>(
  path: '/payloads' | '/statuses' | '/stuck' | '/dead-letters',
  spec: ListSpec<Sort, Filter>,
  component: RouteComponent,
) {
  return createRoute({
    getParentRoute: () => root,
    path,
    validateSearch: searchReader(spec),
    loaderDeps: ({ search }) => search,
    loader: ({ deps }) => void queryClient.prefetchQuery(listQuery(spec, withDefaults(spec, deps))),
    component,
  });
}

export const payloadsRoute = listRoute('/payloads', PAYLOAD_LIST, Payloads);
export const statusesRoute = listRoute('/statuses', STATUS_LIST, Statuses);

export const stuckRoute = listRoute('/stuck', STUCK_LIST, Stuck);

export const deadLettersRoute = listRoute('/dead-letters', DEAD_LETTER_LIST, DeadLetters);

export const successRateRoute = createRoute({
  getParentRoute: () => root,
  path: '/success-rate',
  validateSearch: (search: Record<string, unknown>) => readRange(search),
  component: SuccessRate,
});

export const gatheringRoute = createRoute({
  getParentRoute: () => root,
  path: '/gathering',
  validateSearch: (search: Record<string, unknown>): { cluster?: string } => ({
    cluster: typeof search.cluster === 'string' && search.cluster.trim() !== '' ? search.cluster.trim() : undefined,
  }),
  component: Gathering,
});

export const reportsRoute = createRoute({
  getParentRoute: () => root,
  path: '/reports',
  validateSearch: (search: Record<string, unknown>): { type?: ReportType; page?: number } => ({
    type: REPORT_TYPES.find((type) => type === search.type),
    page: pageOf(search.page),
  }),
  component: Reports,
});

export const schedulesRoute = createRoute({
  getParentRoute: () => root,
  path: '/schedules',
  validateSearch: (search: Record<string, unknown>): { page?: number } => ({ page: pageOf(search.page) }),
  component: Schedules,
});

export const tasksRoute = createRoute({
  getParentRoute: () => root,
  path: '/tasks',
  validateSearch: (search: Record<string, unknown>): { hidden?: boolean; task?: number } => ({
    hidden: search.hidden === true || undefined,
    task: Number.isInteger(search.task) ? Number(search.task) : undefined,
  }),
  component: Tasks,
});

export const trackRoute = createRoute({ getParentRoute: () => root, path: '/track/$requestId', component: Track });

export const signInRoute = createRoute({ getParentRoute: () => root, path: '/sign-in', component: SignIn });

export const router = createRouter({
  routeTree: root.addChildren([
    index,
    payloadsRoute,
    statusesRoute,
    stuckRoute,
    deadLettersRoute,
    successRateRoute,
    gatheringRoute,
    reportsRoute,
    schedulesRoute,
    tasksRoute,
    trackRoute,
    signInRoute,
  ]),
  basepath: '/ui',
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
