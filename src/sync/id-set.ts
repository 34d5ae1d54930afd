/**
 * A set of external ids as the link table spells them (strings), kept as numbers when they are plain integers,
 * as Atera's are. A run remembers every id it read (deactivation needs them at the end): as numbers, 100,000
 * ids are one hash table of small integers instead of 100,000 strings besides it.
 */
export class ExternalIdSet {
  private readonly numbers = new Set<number>();
  private readonly others = new Set<string>();

  add(id: string | number): void {
    const n = integerOf(id);
    if (n === null) this.others.add(String(id));
    else this.numbers.add(n);
  }

  has(id: string): boolean {
    const n = integerOf(id);
    return n === null ? this.others.has(id) : this.numbers.has(n);
  }

  get size(): number {
    return this.numbers.size + this.others.size;
  }
}

/** The id as a number when its text is exactly that number's ("7", not "07" or "7.0"). */
function integerOf(id: string | number): number | null {
  const n = typeof id === 'number' ? id : Number(id);
  return Number.isSafeInteger(n) && (typeof id === 'number' || String(n) === id) ? n : null;
}
