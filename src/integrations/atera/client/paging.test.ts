import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logger.js';
import { checkItem, type DecodedPage, type PageAnswer, pagedRead, rejectionOf } from './paging.js';
import { type AteraCustomer, type AteraEnvelope, customerResource } from './schemas.js';

/**
 * The paged reader against hand-built page sources (a recorded list, served out of order on purpose).
 * HTTP behaviour is covered against the simulator in client.int.test.ts.
 */

const customer = (id: number) => ({ CustomerID: id, CustomerName: `C${id}` });

function pages(total: number, size: number, overrides: Record<number, Partial<AteraEnvelope>> = {}) {
  const totalPages = Math.ceil(total / size);
  return (page: number): AteraEnvelope => ({
    items: Array.from({ length: Math.max(0, Math.min(size, total - (page - 1) * size)) }, (_, i) =>
      customer((page - 1) * size + i + 1),
    ),
    page,
    itemsInPage: size,
    totalItemCount: total,
    totalPages,
    prevLink: page > 1 ? 'x' : '',
    nextLink: page < totalPages ? 'x' : '',
    ...overrides[page],
  });
}

const read = (fetchPage: (n: number, s: AbortSignal) => Promise<PageAnswer<AteraCustomer>>, concurrency = 4) =>
  pagedRead<AteraCustomer>({ resource: customerResource, fetchPage, concurrency, logger: silentLogger });

describe('pagedRead', () => {
  it('yields pages in order while prefetching a bounded window, and reports a complete read', async () => {
    const source = pages(230, 10);
    let inFlight = 0;
    let maxInFlight = 0;
    const requested: number[] = [];
    const r = read(async (n) => {
      requested.push(n);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Later pages answer sooner: order must come from the reader, not from arrival.
      await new Promise((res) => setTimeout(res, (30 - (n % 5) * 6) / 3));
      inFlight -= 1;
      return source(n);
    }, 4);
    const seen: number[] = [];
    let ids = 0;
    for await (const page of r) {
      seen.push(page.page);
      ids += page.records.length;
      expect(r.summary().complete).toBe(false);
    }
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
    expect(ids).toBe(230);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(new Set(requested).size).toBe(requested.length);
    expect(r.summary()).toEqual({
      pagesRead: 23,
      totalPages: 23,
      totalItemCount: 230,
      recordsRead: 230,
      rejected: 0,
      complete: true,
    });
  });

  it('an empty list is a complete read of one page', async () => {
    const r = read(async () => ({
      items: [],
      page: 1,
      itemsInPage: 50,
      totalItemCount: 0,
      totalPages: 0,
      nextLink: '',
    }));
    const all = await r.readAll();
    expect(all.records).toEqual([]);
    expect(all.summary.complete).toBe(true);
  });

  it('treats null, "" and a missing nextLink alike, and an early end as incomplete', async () => {
    const source = pages(100, 10, { 4: { nextLink: null } });
    const r = read(async (n) => source(n));
    const all = await r.readAll();
    expect(all.summary.pagesRead).toBe(4);
    expect(all.summary.complete).toBe(false);
    expect(all.summary.incompleteReason).toMatch(/ended the customers list at page 4 of 10/);
  });

  it('detects a list that shifted while it was read (repeated ids, changed totals)', async () => {
    // A record was added at the front between page 1 and 2: page 2 repeats the last record of page 1.
    const shifted = read(async (n) => {
      const p = pages(30, 10)(n);
      if (n === 1) return p;
      const items = Array.from({ length: 10 }, (_, i) => customer((n - 1) * 10 + i));
      return { ...p, items };
    });
    const s1 = (await shifted.readAll()).summary;
    expect(s1.complete).toBe(false);
    expect(s1.incompleteReason).toMatch(/appeared on two pages/);

    const grew = read(async (n) => pages(30, 10, { 3: { totalItemCount: 31 } })(n));
    const s2 = (await grew.readAll()).summary;
    expect(s2.complete).toBe(false);
    expect(s2.incompleteReason).toMatch(/changed from 30 to 31/);
  });

  it('a short last page makes the read incomplete with the numbers in the reason', async () => {
    const source = pages(25, 10);
    const r = read(async (n) => (n === 3 ? { ...source(3), items: source(3).items!.slice(0, 3) } : source(n)));
    const { summary } = await r.readAll();
    expect(summary).toMatchObject({ complete: false, recordsRead: 23, totalItemCount: 25 });
    expect(summary.incompleteReason).toBe(
      'Atera said there are 25 customers but sent 23 over 3 page(s) (a page came back short)',
    );
  });

  it('reports rejected records and keeps going; rejects still count toward completeness', async () => {
    const source = pages(20, 10);
    const r = read(async (n) => {
      const p = source(n);
      if (n === 2) p.items![4] = { CustomerID: 15, CustomerName: 42 };
      return p;
    });
    const all = await r.readAll();
    expect(all.records).toHaveLength(19);
    expect(all.rejected).toEqual([{ id: 15, field: 'CustomerName', reason: expect.stringMatching(/expected string/) }]);
    expect(all.summary.complete).toBe(true);
  });

  it('a failing page ends the read with the error, marks it incomplete, and aborts prefetches', async () => {
    const source = pages(100, 10);
    const aborted: number[] = [];
    const r = read(async (n, signal) => {
      signal.addEventListener('abort', () => aborted.push(n));
      if (n === 3) throw new Error('boom on page 3');
      await new Promise((res) => setTimeout(res, n === 1 ? 0 : 20));
      return source(n);
    });
    const seen: number[] = [];
    await expect(async () => {
      for await (const p of r) seen.push(p.page);
    }).rejects.toThrow('boom on page 3');
    expect(seen).toEqual([1, 2]);
    expect(r.summary().complete).toBe(false);
    expect(r.summary().incompleteReason).toMatch(/failed after 2 page\(s\): boom on page 3/);
    expect(aborted.length).toBeGreaterThan(0);
  });

  it('stopping early says so', async () => {
    const source = pages(100, 10);
    const r = read(async (n) => source(n));
    for await (const p of r) if (p.page === 2) break;
    expect(r.summary()).toMatchObject({ complete: false, pagesRead: 2 });
    expect(r.summary().incompleteReason).toMatch(/stopped after page 2 of 10/);
  });
});

describe('page-count hints', () => {
  it('with a hint, the first window is requested together with page 1, and the hint is updated', async () => {
    let hint: number | undefined = 6;
    const source = pages(100, 10);
    const requestedBeforePage1Answered: number[] = [];
    let page1Answered = false;
    const r = pagedRead<AteraCustomer>({
      resource: customerResource,
      concurrency: 4,
      logger: silentLogger,
      pageHint: { get: () => hint, set: (n) => (hint = n) },
      fetchPage: async (n) => {
        if (!page1Answered) requestedBeforePage1Answered.push(n);
        await new Promise((res) => setTimeout(res, 5));
        if (n === 1) page1Answered = true;
        return source(n);
      },
    });
    const { records, summary } = await r.readAll();
    expect(requestedBeforePage1Answered).toEqual([1, 2, 3, 4]);
    expect(records).toHaveLength(100);
    expect(summary.complete).toBe(true);
    expect(hint).toBe(10);
  });

  it('a stale hint for a list that shrank wastes a few requests but reads exactly what is there', async () => {
    const source = pages(15, 10);
    const requested: number[] = [];
    const r = pagedRead<AteraCustomer>({
      resource: customerResource,
      concurrency: 4,
      logger: silentLogger,
      pageHint: { get: () => 40, set: () => undefined },
      fetchPage: async (n) => {
        requested.push(n);
        return source(n);
      },
    });
    const { records, summary } = await r.readAll();
    expect(records.map((c) => c.CustomerID)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(summary).toMatchObject({ complete: true, pagesRead: 2, totalPages: 2 });
    expect(requested).toEqual([1, 2, 3, 4]);
  });
});

describe('rejectionOf', () => {
  it('reads the id when it can, names the first bad field and counts the rest', () => {
    expect(
      rejectionOf({ AgentID: 'A-1' }, 'AgentID', [
        { path: ['AgentID'], message: 'expected number' },
        { path: ['HardwareDisks', 0, 'Free'], message: 'x' },
      ]),
    ).toEqual({ id: 'A-1', field: 'AgentID', reason: 'expected number (+1 more: HardwareDisks.0.Free)' });
    expect(rejectionOf(null, 'AgentID', [{ path: [], message: 'expected object' }])).toEqual({
      id: null,
      field: '(record)',
      reason: 'expected object',
    });
  });
});

/**
 * A page decoder (the asset import's worker) hands over pages already checked, keeping some valid records back:
 * the reader must account for them exactly as for pages it parses, or a read would be called complete (and
 * devices deactivated) when it was not.
 */
describe('pagedRead with pages decoded elsewhere', () => {
  /** What a decoder makes of an envelope: every record checked with checkItem, every other valid one kept back. */
  const decode = (env: AteraEnvelope): DecodedPage<AteraCustomer> => {
    const keys: (number | null)[] = [];
    const records: AteraCustomer[] = [];
    const rejected: DecodedPage<AteraCustomer>['rejected'] = [];
    let skipped = 0;
    for (const item of env.items ?? []) {
      const checked = checkItem(customerResource, item);
      keys.push(checked.key);
      if (checked.rejected !== null) rejected.push(checked.rejected);
      else if (checked.key % 2 === 0) skipped++;
      else records.push(checked.record);
    }
    return {
      kind: 'decoded',
      page: env.page,
      totalPages: env.totalPages,
      totalItemCount: env.totalItemCount,
      hasNextLink: Boolean(env.nextLink),
      keys,
      records,
      skipped,
      rejected,
    };
  };
  const shiftedAfterPage1 = (n: number) => {
    const p = pages(30, 10)(n);
    return n === 1 ? p : { ...p, items: Array.from({ length: 10 }, (_, i) => customer((n - 1) * 10 + i)) };
  };
  const withReject = (n: number) => {
    const p = pages(20, 10)(n);
    if (n === 2) p.items![4] = { CustomerID: 15, CustomerName: 42 };
    return p;
  };
  const cases: [string, (n: number) => AteraEnvelope][] = [
    ['a complete read', pages(230, 10)],
    ['an empty list', pages(0, 10)],
    ['a list that ends early', pages(100, 10, { 4: { nextLink: null } })],
    ['a list that shifted (a repeated id)', shiftedAfterPage1],
    ['a total that changed', pages(30, 10, { 3: { totalItemCount: 31 } })],
    [
      'a short last page',
      (n) => (n === 3 ? { ...pages(25, 10)(3), items: pages(25, 10)(3).items!.slice(0, 3) } : pages(25, 10)(n)),
    ],
    ['a rejected record', withReject],
  ];
  it.each(cases)(
    '%s: the same summary, rejects and records (with those kept back) as pages parsed here',
    async (_, source) => {
      const plain = await read(async (n) => source(n)).readAll();
      const decodedRead = read(async (n) => decode(source(n)));
      let skipped = 0;
      const records: AteraCustomer[] = [];
      const rejected: unknown[] = [];
      for await (const page of decodedRead) {
        skipped += page.skipped;
        records.push(...page.records);
        rejected.push(...page.rejected);
      }
      expect(decodedRead.summary()).toEqual(plain.summary);
      expect(rejected).toEqual(plain.rejected);
      expect(records).toEqual(plain.records.filter((c) => c.CustomerID % 2 === 1));
      expect(skipped).toBe(plain.records.length - records.length);
    },
  );
});
