import type { AteraAgent, AteraCustomer } from './client/index.js';

/**
 * Pure mappers from Atera records to what Keel stores. No database, no I/O: the import and the
 * preview call the same functions, and tests call them with recorded records.
 */

/** Site details Atera keeps on a customer; they fill a Keel site's empty fields. */
export function customerSiteDetails(
  c: AteraCustomer,
): Record<'address' | 'city' | 'state' | 'postcode' | 'country' | 'phonenumber', string | null> {
  const clean = (v: string | null) => (v && v.trim() !== '' ? v.trim() : null);
  return {
    address: clean(c.Address),
    city: clean(c.City),
    state: clean(c.State),
    postcode: clean(c.ZipCodeStr),
    country: clean(c.Country),
    phonenumber: clean(c.Phone),
  };
}

export function customerName(c: AteraCustomer): string | null {
  const n = c.CustomerName?.trim();
  return n ? n : null;
}

/** One Atera agent field as text: lists joined, empties as null. Types are converted later per target field. */
export function agentFieldText(agent: Partial<AteraAgent>, field: string): string | null {
  const value = (agent as Record<string, unknown>)[field];
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) {
    const parts = value
      .map((v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)))
      .map((s) => s.trim())
      .filter((s) => s !== '');
    return parts.length ? parts.join(', ') : null;
  }
  if (typeof value === 'object') return JSON.stringify(value);
  const s = String(value).trim();
  return s === '' ? null : s;
}

/** The candidate user login from LastLoginUser: "DOMAIN\\jsmith" → ["domain\\jsmith", "jsmith"]. */
export function loginCandidates(lastLoginUser: string | null): string[] {
  if (!lastLoginUser?.trim()) return [];
  const full = lastLoginUser.trim().toLowerCase();
  const short = full.includes('\\')
    ? full.slice(full.lastIndexOf('\\') + 1)
    : full.includes('@')
      ? full.slice(0, full.indexOf('@'))
      : full;
  return [...new Set([full, short])].filter((s) => s !== '');
}
