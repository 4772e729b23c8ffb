import { NeedsAccess } from '../shared/needs-access.tsx';
import { Alert, Card, CardBody, CardTitle, Content, Flex, PageSection, Toolbar, ToolbarContent } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useMemo } from 'react';
import { api, queryString } from '../api.ts';
import { Chart, themeColours, token, type ChartOption } from '../charts/chart.tsx';
import { TimeRangePicker } from '../lists/time-range-picker.tsx';
import { resolveRange, type RangeSearch } from '../lists/time-range.ts';
import { successRateRoute } from '../router.tsx';
import { canReadPayloads, useSession } from '../session.ts';
import { humanDuration } from '../shared/measures.ts';
// The server's rounding, so the table's share reads as the API's would.
import { percent } from '../../../src/shared/measures.ts';
import { formatTime, useZone } from '../shared/time.tsx';

interface Point {
  at: string;
  success: number;
  error: number;
  success_percent: number;
}
interface Series {
  from: string;
  to: string;
  bucket_seconds: number;
  data: { service: string; points: Point[] }[];
}
interface ServiceTimes {
  sampled_payloads: number;
  data: { service: string; payloads: number; p50_seconds: number; p95_seconds: number }[];
}

const DEFAULT_RANGE: RangeSearch = { last: '24h' };

/** The range's API parameters: fixed instants, so that both charts read the same span. */
function rangeQuery(range: RangeSearch) {
  const { from, to = new Date() } = resolveRange(range);
  return { from: from?.toISOString(), to: to.toISOString() };
}

function successOption(series: Series, zone: 'utc' | 'local'): ChartOption {
  const colours = themeColours();
  return {
    // Drawn at once: a chart that grows in reads late, and a screenshot would catch it half drawn.
    animation: false,
    tooltip: { trigger: 'axis', valueFormatter: (value) => `${String(value)} %` },
    legend: { textStyle: { color: colours.text }, top: 0 },
    grid: { left: 48, right: 16, top: 40, bottom: 32 },
    // The axis spans the range asked for, not just the buckets that hold statuses.
    xAxis: {
      type: 'time',
      min: Date.parse(series.from),
      max: Date.parse(series.to),
      axisLabel: { color: colours.subtle, formatter: (value: number) => formatTime(new Date(value), zone).slice(5, 16) },
    },
    yAxis: {
      type: 'value',
      min: 0,
      max: 100,
      axisLabel: { color: colours.subtle, formatter: '{value} %' },
      splitLine: { lineStyle: { color: colours.line } },
    },
    series: series.data.map(({ service, points }) => ({
      name: service,
      type: 'line',
      showSymbol: true,
      symbolSize: 7,
      data: points.map((point) => [Date.parse(point.at), point.success_percent]),
    })),
  };
}

function timesOption(times: ServiceTimes): ChartOption {
  const colours = themeColours();
  return {
    animation: false,
    tooltip: { trigger: 'axis', valueFormatter: (value) => humanDuration(Number(value)) },
    legend: { textStyle: { color: colours.text }, top: 0 },
    grid: { left: 48, right: 16, top: 40, bottom: 32 },
    xAxis: { type: 'category', data: times.data.map((row) => row.service), axisLabel: { color: colours.subtle } },
    yAxis: {
      type: 'value',
      axisLabel: { color: colours.subtle, formatter: (value: number) => humanDuration(value) },
      splitLine: { lineStyle: { color: colours.line } },
    },
    series: [
      {
        name: 'p50',
        type: 'bar',
        data: times.data.map((row) => row.p50_seconds),
        itemStyle: { color: token('--pf-t--global--color--nonstatus--blue--default') },
      },
      {
        name: 'p95',
        type: 'bar',
        data: times.data.map((row) => row.p95_seconds),
        itemStyle: { color: token('--pf-t--global--color--nonstatus--orange--default') },
      },
    ],
  };
}

/** The statuses behind a point: the service's, in the point's bucket. */
function statusesOf(service: string, point: Point, bucketSeconds: number) {
  const from = new Date(point.at);
  return { service, from: from.toISOString(), to: new Date(from.getTime() + bucketSeconds * 1000).toISOString() };
}

/** Success % per service over time and time in service p50/p95, each chart with its numbers in a table under it. */
export default function SuccessRate() {
  const search = successRateRoute.useSearch();
  const navigate = useNavigate();
  const zone = useZone();
  const session = useSession();
  const allowed = session.data ? canReadPayloads(session.data) : false;
  const range = search.last || search.from ? search : DEFAULT_RANGE;
  const query = rangeQuery(range);
  const series = useQuery({
    queryKey: ['success-series', range],
    queryFn: () => api<Series>(`/v1/stats/success-series${queryString(rangeQuery(range))}`),
    enabled: allowed,
    placeholderData: keepPreviousData,
  });
  const times = useQuery({
    queryKey: ['service-times', range],
    queryFn: () => api<ServiceTimes>(`/v1/stats/service-times${queryString(rangeQuery(range))}`),
    enabled: allowed,
    placeholderData: keepPreviousData,
  });
  const successChart = useMemo(() => series.data && successOption(series.data, zone), [series.data, zone]);
  const timesChart = useMemo(() => times.data && timesOption(times.data), [times.data]);
  const openPoint = (service: string, index: number) => {
    const points = series.data?.data.find((row) => row.service === service)?.points;
    if (points?.[index]) void navigate({ to: '/statuses', search: statusesOf(service, points[index], series.data!.bucket_seconds) });
  };

  if (session.data && !allowed) {
    return <NeedsAccess title="Success rate" needs="Reading success rates needs a token with payloads:read, or the platform's identity" />;
  }
  return (
    <PageSection>
      <Content component="h1">Success rate</Content>
      <Toolbar>
        <ToolbarContent>
          <TimeRangePicker range={range} onChange={(next) => void navigate({ to: '/success-rate', search: next })} />
        </ToolbarContent>
      </Toolbar>
      {(series.isError || times.isError) && (
        <Alert variant="danger" isInline title={`The rates could not be read: ${(series.error ?? times.error)?.message}`} />
      )}
      <Flex direction={{ default: 'column' }} gap={{ default: 'gapMd' }}>
        <Card isCompact>
          <CardTitle>
            Success % per service{' '}
            <small>
              ({query.from && formatTime(query.from, zone).slice(0, 16)} to {formatTime(query.to, zone).slice(0, 16)}, buckets of{' '}
              {humanDuration(series.data?.bucket_seconds ?? 0)}; a point opens its statuses)
            </small>
          </CardTitle>
          <CardBody>
            {successChart && <Chart option={successChart} label="Success percent per service over time" onPointClick={openPoint} />}
            <Table aria-label="Success per service" variant="compact">
              <Thead>
                <Tr>
                  <Th>Service</Th>
                  <Th>Success</Th>
                  <Th>Error</Th>
                  <Th>Success %</Th>
                  <Th>Lowest bucket</Th>
                </Tr>
              </Thead>
              <Tbody>
                {series.data?.data.map(({ service, points }) => {
                  const success = points.reduce((sum, point) => sum + point.success, 0);
                  const error = points.reduce((sum, point) => sum + point.error, 0);
                  const lowest = points.reduce(
                    (worst, point) => (point.success_percent < worst.success_percent ? point : worst),
                    points[0],
                  );
                  return (
                    <Tr key={service}>
                      <Td dataLabel="Service">{service}</Td>
                      <Td dataLabel="Success">{success.toLocaleString()}</Td>
                      <Td dataLabel="Error">{error.toLocaleString()}</Td>
                      <Td dataLabel="Success %">{percent(success, success + error)} %</Td>
                      <Td dataLabel="Lowest bucket">
                        <Link to="/statuses" search={statusesOf(service, lowest, series.data.bucket_seconds)}>
                          {lowest.success_percent} % at {formatTime(lowest.at, zone).slice(5, 16)}
                        </Link>
                      </Td>
                    </Tr>
                  );
                })}
              </Tbody>
            </Table>
          </CardBody>
        </Card>
        <Card isCompact>
          <CardTitle>
            Time in service <small>(the newest {times.data?.sampled_payloads.toLocaleString() ?? '…'} payloads created in the range)</small>
          </CardTitle>
          <CardBody>
            {timesChart && <Chart option={timesChart} label="Median and 95th percentile time in each service" />}
            <Table aria-label="Time in service" variant="compact">
              <Thead>
                <Tr>
                  <Th>Service</Th>
                  <Th>Payloads</Th>
                  <Th>p50</Th>
                  <Th>p95</Th>
                </Tr>
              </Thead>
              <Tbody>
                {times.data?.data.map((row) => (
                  <Tr key={row.service}>
                    <Td dataLabel="Service">{row.service}</Td>
                    <Td dataLabel="Payloads">{row.payloads.toLocaleString()}</Td>
                    <Td dataLabel="p50">{humanDuration(row.p50_seconds)}</Td>
                    <Td dataLabel="p95">{humanDuration(row.p95_seconds)}</Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          </CardBody>
        </Card>
      </Flex>
    </PageSection>
  );
}
