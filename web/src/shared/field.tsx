import { FormGroup, FormHelperText, HelperText, HelperTextItem } from '@patternfly/react-core';
import type { ReactNode } from 'react';

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
