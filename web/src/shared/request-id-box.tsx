import { HelperText, HelperTextItem, SearchInput } from '@patternfly/react-core';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { canonicalRequestId, REQUEST_ID_RULE } from '../../../src/shared/request-id.ts';

/** The masthead's box: a request ID (32 hex digits or a dashed UUID) opens that payload's Track page. */
export function RequestIdBox() {
  const navigate = useNavigate();
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string>();
  const track = (text: string) => {
    const requestId = canonicalRequestId(text.trim());
    if (!requestId) {
      setProblem(`A request ID is ${REQUEST_ID_RULE}`);
      return;
    }
    setProblem(undefined);
    setDraft('');
    void navigate({ to: '/track/$requestId', params: { requestId } });
  };
  return (
    // A plain form: PatternFly's Form would bring its styles to every page for one box.
    <form onSubmit={(event) => event.preventDefault()} style={{ width: 'min(22rem, 50vw)' }}>
      <SearchInput
        aria-label="Track a request ID"
        placeholder="Track a request ID"
        value={draft}
        onChange={(_event, text) => setDraft(text)}
        onSearch={(_event, text) => track(text)}
        onClear={() => {
          setDraft('');
          setProblem(undefined);
        }}
      />
      {problem && (
        <HelperText>
          <HelperTextItem variant="error">{problem}</HelperTextItem>
        </HelperText>
      )}
    </form>
  );
}
