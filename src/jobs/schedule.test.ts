import { describe, expect, it } from 'vitest';
import { minimumGapMs, nextAfter, parseSchedule } from './schedule.js';

const iso = (d: Date) => d.toISOString();

describe('schedules', () => {
  it('intervals fire every N from the previous slot', () => {
    const s = parseSchedule('5m');
    expect(iso(nextAfter(s, new Date('2026-01-01T00:00:00Z')))).toBe('2026-01-01T00:05:00.000Z');
    expect(minimumGapMs(parseSchedule('30s'), new Date())).toBe(30_000);
    expect(minimumGapMs(parseSchedule('1d'), new Date())).toBe(86_400_000);
  });

  it('a daily cron at 03:00 Berlin time stays at 03:00 local across both DST changes', () => {
    const s = parseSchedule('0 3 * * *', 'Europe/Berlin');
    // Spring forward: 2026-03-29 02:00 → 03:00 local. 03:00 CEST = 01:00 UTC.
    const spring: string[] = [];
    let t = new Date('2026-03-27T12:00:00Z');
    for (let i = 0; i < 4; i++) {
      t = nextAfter(s, t);
      spring.push(iso(t));
    }
    expect(spring).toEqual([
      '2026-03-28T02:00:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T01:00:00.000Z',
      '2026-03-31T01:00:00.000Z',
    ]);
    // Fall back: 2026-10-25 03:00 → 02:00 local. 03:00 CET = 02:00 UTC.
    const fall: string[] = [];
    t = new Date('2026-10-23T12:00:00Z');
    for (let i = 0; i < 3; i++) {
      t = nextAfter(s, t);
      fall.push(iso(t));
    }
    expect(fall).toEqual(['2026-10-24T01:00:00.000Z', '2026-10-25T02:00:00.000Z', '2026-10-26T02:00:00.000Z']);
  });

  it('a 02:30 job on the spring-forward night (02:30 does not exist) still fires exactly once that day', () => {
    const s = parseSchedule('30 2 * * *', 'Europe/Berlin');
    const fired: string[] = [];
    let t = new Date('2026-03-28T12:00:00Z');
    while (t < new Date('2026-03-30T12:00:00Z')) {
      t = nextAfter(s, t);
      if (t < new Date('2026-03-30T12:00:00Z')) fired.push(iso(t));
    }
    const days = fired.map((f) => new Date(f).toLocaleDateString('en-CA', { timeZone: 'Europe/Berlin' }));
    expect(new Set(days).size).toBe(days.length);
    expect(days).toContain('2026-03-29');
  });

  it('refuses specs that are neither an interval nor cron, naming the setting', () => {
    expect(() => parseSchedule('every tuesday', 'UTC', 'atera_schedule_assets')).toThrow(/atera_schedule_assets/);
    expect(() => parseSchedule('0m')).toThrow(/more than 0/);
  });
});
