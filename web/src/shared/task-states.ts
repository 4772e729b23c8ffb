import CheckCircleIcon from '@patternfly/react-icons/dist/esm/icons/check-circle-icon';
import ExclamationCircleIcon from '@patternfly/react-icons/dist/esm/icons/exclamation-circle-icon';
import InProgressIcon from '@patternfly/react-icons/dist/esm/icons/in-progress-icon';
import EyeSlashIcon from '@patternfly/react-icons/dist/esm/icons/eye-slash-icon';
import { createElement, type ReactNode } from 'react';

/** How each task state looks: colour, icon and word all differ, so Failed never reads as End. */
export const TASK_STATES: Record<string, { color: 'blue' | 'green' | 'red' | 'grey'; icon: ReactNode }> = {
  'In Progress': { color: 'blue', icon: createElement(InProgressIcon) },
  End: { color: 'green', icon: createElement(CheckCircleIcon) },
  Failed: { color: 'red', icon: createElement(ExclamationCircleIcon) },
  Dismissed: { color: 'grey', icon: createElement(EyeSlashIcon) },
};
