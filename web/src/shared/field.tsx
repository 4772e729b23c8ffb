import { FormGroup, FormHelperText, HelperText, HelperTextItem } from '@patternfly/react-core';
import type { ReactNode } from 'react';
import { ApiError } from '../api.ts';

/** A form field with the API's complaint about it, or a hint, under it. */
export function Field({
  label,
  id,
  problem,
  hint,
  children,
}: {
  label: string;
  id: string;
  problem?: string;
  hint?: ReactNode;
  children: ReactNode;
}) {
  return (
    <FormGroup label={label} fieldId={id}>
      {children}
      {(problem ?? hint) && (
        <FormHelperText>
          <HelperText>
            <HelperTextItem variant={problem ? 'error' : 'default'}>{problem ?? hint}</HelperTextItem>
          </HelperText>
        </FormHelperText>
      )}
    </FormGroup>
  );
}

/**
 * What a form's alert says when the API refused it: the whole message, unless
 * every problem is shown under a field of the form (`shown` tells which
 * fields are; `send_to.1` is shown under `send_to`).
 */
export function refusal(error: Error, shown: (field: string) => boolean): string {
  const fields = error instanceof ApiError ? Object.keys(error.fieldProblems()) : [];
  return fields.length > 0 && fields.every(shown) ? 'Refused: each problem is named under its field' : error.message;
}
