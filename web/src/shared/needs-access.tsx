import { Alert, Content, PageSection } from '@patternfly/react-core';
import type { ReactNode } from 'react';
import { Link } from '@tanstack/react-router';

/** A page the signed-in credentials cannot use: it says what it needs instead of failing. */
export function NeedsAccess({ title, needs }: { title: ReactNode; needs: string }) {
  return (
    <PageSection>
      <Content component="h1">{title}</Content>
      <Alert variant="warning" isInline title={needs}>
        <Link to="/sign-in">Sign in with another token</Link>
      </Alert>
    </PageSection>
  );
}
