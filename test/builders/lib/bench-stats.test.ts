import { describe, expect, it } from 'vitest';
import { benchTable, evaluate, summarize } from '../../../builders/lib/bench-stats.js';

describe('bench statistics', () => {
  it('takes the median of odd and even numbers of runs, with the range', () => {
    expect(summarize([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: 3 });
    expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 });
    expect(() => summarize([])).toThrow('no measurements');
  });

  it('judges a ratio goal by the medians and an absolute goal by the median alone', () => {
    const check = evaluate({ name: 'check', unit: 's', measured: summarize([2.9, 3.0, 3.5]), baseline: { name: 'bare', summary: summarize([2.8, 2.8]) }, goal: { kind: 'ratio', limit: 1.1 } });
    expect(check.ratio).toBeCloseTo(3.0 / 2.8);
    expect(check.met).toBe(true);
    const slow = evaluate({ name: 'check', unit: 's', measured: summarize([5.36]), baseline: { name: 'bare', summary: summarize([2.72]) }, goal: { kind: 'ratio', limit: 1.1 } });
    expect(slow.met).toBe(false);
    expect(evaluate({ name: 'no-op', unit: 's', measured: summarize([2.5, 3.4, 2.9]), goal: { kind: 'absolute', limit: 3 } }).met).toBe(true);
    expect(evaluate({ name: 'no-op', unit: 's', measured: summarize([3.5, 3.4, 2.9]), goal: { kind: 'absolute', limit: 3 } }).met).toBe(false);
  });

  it('prints one row per measurement with median, range, runs, baseline, ratio, goal and verdict', () => {
    const table = benchTable([
      evaluate({ name: 'no-op rebuild', unit: 's', measured: summarize([2.5, 2.9, 3.4]), goal: { kind: 'absolute', limit: 3 } }),
      evaluate({ name: 'asset size', unit: 'MB', measured: summarize([3.36]), baseline: { name: 'prototype-style', summary: summarize([4.7]) }, goal: { kind: 'ratio', limit: 0.5 } }),
    ]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^measurement +median \(min–max\) +runs +baseline: median \(min–max\) +ratio +goal +met$/);
    expect(lines[1]).toMatch(/^no-op rebuild +2\.90 s \(2\.50–3\.40\) +3 +<= 3 s +yes$/);
    expect(lines[2]).toMatch(/^asset size +3\.36 MB +1 +prototype-style: 4\.70 MB +0\.71 +ratio <= 0\.50 +NO$/);
  });
});
