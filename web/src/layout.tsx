import {
  Badge,
  Button,
  Label,
  LabelGroup,
  Masthead,
  MastheadBrand,
  MastheadContent,
  MastheadMain,
  MastheadToggle,
  Nav,
  NavItem,
  NavList,
  Page,
  PageSidebar,
  PageSidebarBody,
  PageToggleButton,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, Outlet, useNavigate, useRouterState } from '@tanstack/react-router';
import { Suspense } from 'react';
import { tokenStore } from './api.ts';
import { canReadPayloads, useSession } from './session.ts';
import { api } from './api.ts';
import { RequestIdBox } from './shared/request-id-box.tsx';
import { ZoneToggle } from './shared/time.tsx';

/** Which org and scopes the console acts with, and how to sign in or out. */
function SessionBar() {
  const session = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const signOut = () => {
    tokenStore.clear();
    queryClient.clear();
    void navigate({ to: '/sign-in' });
  };
  if (!session.data) return null;
  const { via, org_id, user, scopes, all_orgs } = session.data;
  return (
    <Toolbar isFullHeight>
      <ToolbarContent>
        <ToolbarItem>
          <RequestIdBox />
        </ToolbarItem>
        {/* On a narrow window the session's details give way to the request-ID box. */}
        <ToolbarItem visibility={{ default: 'hidden', lg: 'visible' }}>
          <ZoneToggle />
        </ToolbarItem>
        <ToolbarItem visibility={{ default: 'hidden', lg: 'visible' }}>
          {via === 'none' ? (
            <span>Not signed in</span>
          ) : (
            <span data-testid="session">
              {user ?? 'unnamed'} · org {all_orgs ? 'all orgs' : (org_id ?? 'none')} ({via})
            </span>
          )}
        </ToolbarItem>
        <ToolbarItem visibility={{ default: 'hidden', xl: 'visible' }}>
          <LabelGroup aria-label="Scopes" numLabels={3}>
            {scopes.map((scope) => (
              <Label key={scope} isCompact>
                {scope}
              </Label>
            ))}
          </LabelGroup>
        </ToolbarItem>
        <ToolbarItem>
          {via === 'token' ? (
            <Button variant="secondary" onClick={signOut}>
              Sign out
            </Button>
          ) : (
            <Button variant="secondary" onClick={() => void navigate({ to: '/sign-in' })}>
              Sign in with a token
            </Button>
          )}
        </ToolbarItem>
      </ToolbarContent>
    </Toolbar>
  );
}

const PAGES = [
  { to: '/payloads', title: 'Payloads' },
  { to: '/statuses', title: 'Statuses' },
  { to: '/stuck', title: 'Stuck' },
  { to: '/success-rate', title: 'Success rate' },
  { to: '/gathering', title: 'Gathering' },
  { to: '/reports', title: 'Reports' },
  { to: '/schedules', title: 'Schedules' },
  { to: '/tasks', title: 'Tasks' },
  { to: '/dead-letters', title: 'Dead letters' },
] as const;

/** How many payloads are stuck now, for the navigation's badge; asked again every minute. */
function StuckBadge() {
  const session = useSession();
  const stuck = useQuery({
    queryKey: ['/v1/stuck-payloads', 'badge'],
    queryFn: () => api<{ count: number }>('/v1/stuck-payloads?page_size=1'),
    enabled: session.data ? canReadPayloads(session.data) : false,
    refetchInterval: 60_000,
  });
  if (!stuck.data?.count) return null;
  return (
    <Badge isRead={false} screenReaderText="payloads stuck" data-testid="stuck-badge">
      {stuck.data.count.toLocaleString()}
    </Badge>
  );
}

export function Layout() {
  const path = useRouterState({ select: (state) => state.location.pathname });
  const masthead = (
    <Masthead>
      <MastheadMain>
        {/* On a narrow window the navigation folds away behind this button. */}
        <MastheadToggle>
          <PageToggleButton isHamburgerButton aria-label="Navigation" />
        </MastheadToggle>
        <MastheadBrand>
          <strong style={{ fontSize: '1.25rem' }}>Tracker</strong>
        </MastheadBrand>
      </MastheadMain>
      <MastheadContent>
        <SessionBar />
      </MastheadContent>
    </Masthead>
  );
  const sidebar = (
    <PageSidebar>
      <PageSidebarBody>
        <Nav aria-label="Pages">
          <NavList>
            {PAGES.map((page) => (
              <NavItem key={page.to} isActive={path.endsWith(page.to)}>
                <Link to={page.to}>
                  {page.title} {page.to === '/stuck' && <StuckBadge />}
                </Link>
              </NavItem>
            ))}
          </NavList>
        </Nav>
      </PageSidebarBody>
    </PageSidebar>
  );
  return (
    <Page masthead={masthead} sidebar={sidebar} isManagedSidebar>
      <Suspense fallback={null}>
        <Outlet />
      </Suspense>
    </Page>
  );
}
