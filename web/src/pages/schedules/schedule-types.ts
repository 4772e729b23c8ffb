/** Where the report schedules API answers. */
export const SCHEDULES = '/api/v1/reports/schedules';

export interface Schedule {
  id: string;
  name: string;
  type: string;
  schedule: string;
  timezone: string;
  hosts: string[];
  services: string[] | null;
  send_to: string[];
  send_via: string;
  format: string;
  scheduled_by: string;
  scheduled_at: number;
  start_timestamp: number | null;
  end_timestamp: number | null;
  next_runs: string[];
  last_task: { task_id: number; state: string; started: string; finished: string | null } | null;
}
