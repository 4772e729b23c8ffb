import { ActionGroup, Alert, Button, Card, CardBody, CardTitle, Form, FormGroup, PageSection, TextInput } from '@patternfly/react-core';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { api, ApiError, tokenStore } from '../api.ts';
import type { Session } from '../session.ts';

/** Signs in with a bearer token from `tracker token create`, kept for this tab only. */
export default function SignIn() {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  async function submit(event: FormEvent) {
    event.preventDefault();
    tokenStore.set(token.trim());
    try {
      const session = await api<Session>('/whoami');
      queryClient.setQueryData(['whoami'], session);
      await queryClient.invalidateQueries();
      await navigate({ to: '/payloads', search: (previous) => previous as never });
    } catch (failure) {
      tokenStore.clear();
      setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  }

  return (
    <PageSection>
      <Card style={{ maxWidth: '36rem' }}>
        <CardTitle component="h1">Sign in</CardTitle>
        <CardBody>
          <p>
            Behind the platform's gateway you are signed in already. Elsewhere, paste a token made with <code>tracker token create</code>;
            it is kept for this tab only.
          </p>
          <Form onSubmit={(event) => void submit(event)}>
            {error && <Alert variant="danger" isInline title={error} />}
            <FormGroup label="Bearer token" isRequired fieldId="token">
              <TextInput
                id="token"
                type="password"
                value={token}
                onChange={(_event, value) => setToken(value)}
                isRequired
                autoComplete="off"
              />
            </FormGroup>
            <ActionGroup>
              <Button type="submit" variant="primary" isDisabled={token.trim() === ''}>
                Sign in
              </Button>
            </ActionGroup>
          </Form>
        </CardBody>
      </Card>
    </PageSection>
  );
}
