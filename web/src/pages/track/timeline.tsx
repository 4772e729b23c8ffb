import { Tooltip } from '@patternfly/react-core';
import { formatTime, useZone } from '../../shared/time.tsx';
import { humanDuration, statusLook } from '../../shared/measures.ts';
import type { Lane } from './lanes.ts';
import './timeline.css';

export interface Typical {
  p50_seconds: number;
  p95_seconds: number;
}

interface TimelineProps {
  lanes: Lane[];
  /** Per service, how long payloads usually spend in it. */
  typical: Map<string, Typical>;
}

const AXIS_STEPS = [0, 0.25, 0.5, 0.75, 1];

/**
 * The payload's journey as a Gantt chart: a row per `service:source`, its bar
 * from the first status to the last, coloured by the last, a tick per status, a
 * dashed line for the time it waited for the service, and beside each row its
 * time there, its share of the whole, and the service's usual p50 / p95.
 */
export function Timeline({ lanes, typical }: TimelineProps) {
  const zone = useZone();
  if (lanes.length === 0) return null;
  const start = Math.min(...lanes.map((lane) => lane.first));
  const end = Math.max(...lanes.map((lane) => lane.last));
  const span = Math.max(end - start, 1);
  const position = (at: number) => `${((at - start) / span) * 100}%`;
  const total = (end - start) / 1000;

  return (
    <div className="timeline" role="table" aria-label="Time in each service">
      <div className="timeline__row timeline__head" role="row">
        <span role="columnheader">Service</span>
        <span role="columnheader" className="timeline__axis">
          {AXIS_STEPS.map((step) => (
            <span key={step} style={{ left: `${step * 100}%` }}>
              +{humanDuration((span * step) / 1000)}
            </span>
          ))}
        </span>
        <span role="columnheader">In service</span>
        <span role="columnheader">Share</span>
        <span role="columnheader">Usual p50 / p95</span>
      </div>
      {lanes.map((lane, index) => {
        const seconds = (lane.last - lane.first) / 1000;
        const usual = typical.get(lane.service);
        const slow = usual !== undefined && seconds > usual.p95_seconds;
        const look = statusLook(lane.lastStatus);
        return (
          <div key={lane.key} className="timeline__row" role="row" data-testid="lane" data-service={lane.key} data-status={lane.lastStatus}>
            <span role="rowheader" className="timeline__name">
              <strong>{lane.service}</strong>
              {lane.source && <small> {lane.source}</small>}
            </span>
            <span role="cell" className="timeline__track">
              {index > 0 && lane.waitedMs > 0 && (
                <span
                  className="timeline__wait"
                  style={{ left: position(lane.first - lane.waitedMs), width: position(start + lane.waitedMs) }}
                  title={`waited ${humanDuration(lane.waitedMs / 1000)} for ${lane.service}`}
                />
              )}
              <span
                className="timeline__bar"
                data-testid="bar"
                style={{
                  left: position(lane.first),
                  width: `max(${position(start + (lane.last - lane.first))}, 3px)`,
                  background: look.colour,
                }}
              />
              {lane.statuses.map((status) => (
                <Tooltip
                  key={status.id}
                  content={
                    <div>
                      <strong>{status.status}</strong> at {formatTime(status.date, zone, true)}
                      {status.status_msg && <div>{status.status_msg}</div>}
                    </div>
                  }
                >
                  <span
                    className="timeline__tick"
                    tabIndex={0}
                    role="img"
                    aria-label={`${status.status} at ${status.date}${status.status_msg ? `: ${status.status_msg}` : ''}`}
                    style={{ left: position(Date.parse(status.date)) }}
                  />
                </Tooltip>
              ))}
            </span>
            <span role="cell">{humanDuration(seconds)}</span>
            <span role="cell">{total === 0 ? '—' : `${Math.round((seconds / total) * 100)} %`}</span>
            <span role="cell" className={slow ? 'timeline__slow' : undefined} title={slow ? 'slower than 95 % of payloads' : undefined}>
              {usual ? `${humanDuration(usual.p50_seconds)} / ${humanDuration(usual.p95_seconds)}` : '—'}
            </span>
          </div>
        );
      })}
    </div>
  );
}
