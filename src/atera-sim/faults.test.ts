import { describe, expect, it } from 'vitest';
import { corrupt, FaultSet } from './faults.js';
import { Rng } from './random.js';

describe('FaultSet', () => {
  it('matches by path prefix and method, and switches off after `times`', () => {
    const faults = new FaultSet(new Rng(1));
    faults.add({ kind: 'error', status: 503, path: '/api/v3/agents', method: 'get', times: 2 });
    expect(faults.take('error', 'GET', '/api/v3/customers')).toBeNull();
    expect(faults.take('error', 'PUT', '/api/v3/agents')).toBeNull();
    expect(faults.take('error', 'GET', '/API/v3/agents/customer/1')?.status).toBe(503);
    expect(faults.take('error', 'GET', '/api/v3/agents')?.status).toBe(503);
    expect(faults.take('error', 'GET', '/api/v3/agents')).toBeNull();
    expect(faults.list()).toHaveLength(0);
  });

  it('draws probabilities from the seed, so a run repeats', () => {
    const hits = (seed: number) => {
      const faults = new FaultSet(new Rng(seed));
      faults.add({ kind: 'error', status: 500, probability: 0.2 });
      return Array.from({ length: 500 }, () => (faults.take('error', 'GET', '/x') ? 1 : 0)).join('');
    };
    expect(hits(9)).toBe(hits(9));
    const rate =
      hits(9)
        .split('')
        .filter((c) => c === '1').length / 500;
    expect(rate).toBeGreaterThan(0.14);
    expect(rate).toBeLessThan(0.26);
  });

  it('rejects nonsense and resets', () => {
    const faults = new FaultSet(new Rng(1));
    expect(() => faults.add({ kind: 'error', status: 200 } as never)).toThrow();
    const id = faults.add({ kind: 'latency', ms: 10 });
    faults.add({ kind: 'non-json', page: 2 });
    expect(faults.take('non-json', 'GET', '/x', (f) => f.page === 1)).toBeNull();
    expect(faults.remove(id)).toBe(true);
    faults.reset();
    expect(faults.list()).toEqual([]);
  });

  it('corrupts records with wrong types, varying by n', () => {
    const agent = { AgentID: 5, Monitored: true };
    expect(corrupt('agents', agent, 0)).toEqual({ AgentID: 5, Monitored: 'yes' });
    expect(corrupt('agents', agent, 4)).toEqual({ AgentID: '5', Monitored: true });
    expect(agent).toEqual({ AgentID: 5, Monitored: true });
  });
});
