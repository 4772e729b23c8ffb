import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { init, use, type ComposeOption } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';
import { useEffect, useRef } from 'react';

// Only the parts drawn here are bundled, and only into the pages that draw charts.
use([LineChart, BarChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export type ChartOption = ComposeOption<
  LineSeriesOption | BarSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

/** A PatternFly colour token's value now (it differs in the dark theme). */
export const token = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/** The text and line colours of the current theme, for axes and legends. */
export function themeColours() {
  return {
    text: token('--pf-t--global--text--color--regular'),
    subtle: token('--pf-t--global--text--color--subtle'),
    line: token('--pf-t--global--border--color--default'),
  };
}

interface ChartProps {
  option: ChartOption;
  /** What the chart shows, for screen readers; the table beside it holds the numbers. */
  label: string;
  height?: number;
  onPointClick?: (seriesName: string, dataIndex: number) => void;
}

/** An ECharts chart that follows its container's width. */
export function Chart({ option, label, height = 320, onPointClick }: ChartProps) {
  const element = useRef<HTMLDivElement>(null);
  const click = useRef(onPointClick);
  click.current = onPointClick;
  const chart = useRef<ReturnType<typeof init>>(undefined);

  useEffect(() => {
    const instance = init(element.current, undefined, { renderer: 'svg' });
    chart.current = instance;
    instance.on('click', (params) => click.current?.(params.seriesName ?? '', params.dataIndex));
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(element.current!);
    return () => {
      resize.disconnect();
      instance.dispose();
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={element} role="img" aria-label={label} style={{ width: '100%', height }} />;
}
