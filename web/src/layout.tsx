import {
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
import { useQueryClient } from '@tanstack/react-query';
import { Link, Outlet, useNavigate, useRouterState } from '@tanstack/react-router';
import { Suspense } from 'react';
import { tokenStore } from './api.ts';
import { useSession } from './session.ts';
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
        <ToolbarItem>
          <ZoneToggle />
        </ToolbarItem>
        <ToolbarItem>
          {via === 'none' ? (
            <span>Not signed in</span>
          ) : (
            <span data-testid="session">
              {user ?? 'unnamed'} · org {all_orgs ? 'all orgs' : (org_id ?? 'none')} ({via})
            </span>
          )}
        </ToolbarItem>
        <ToolbarItem>
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
] as const;

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
                <Link to={page.to}>{page.title}</Link>
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
