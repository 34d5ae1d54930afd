/**
 * A set of external ids as the link table spells them (strings), kept as numbers when they are plain integers,
 * as Atera's are. A run remembers every id it read (deactivation needs them at the end).
 *
 * Why a sorted typed array and not a Set: ids are only added while a list is read and only looked up after it,
 * so appending to a Float64Array (no heap object per id, nothing for the garbage collector to copy while the read
 * allocates its pages) and sorting once before the first lookup costs a fraction of growing a 100,000-entry hash
 * table (measured ~1.1 µs an id with a Set during an import, most of it rehashing and collector work).
 */
export class ExternalIdSet {
  private numbers = new Float64Array(1024);
  private count = 0;
  private sorted = true;
  /** Added to since the last sort and de-duplication. */
  private dirty = false;
  private readonly others = new Set<string>();

  add(id: string | number): void {
    const n = integerOf(id);
    if (n === null) {
      this.others.add(String(id));
      return;
    }
    if (this.count === this.numbers.length) {
      const grown = new Float64Array(this.numbers.length * 2);
      grown.set(this.numbers);
      this.numbers = grown;
    }
    if (this.count > 0 && n < this.numbers[this.count - 1]!) this.sorted = false;
    this.numbers[this.count++] = n;
    this.dirty = true;
  }

  has(id: string): boolean {
    const n = integerOf(id);
    if (n === null) return this.others.has(id);
    this.settle();
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.numbers[mid]!;
      if (v === n) return true;
      if (v < n) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  get size(): number {
    this.settle();
    return this.count + this.others.size;
  }

  /** Sorts and drops repeats (an id read twice counts once), once after a series of adds. */
  private settle(): void {
    if (!this.dirty) return;
    const used = this.numbers.subarray(0, this.count);
    if (!this.sorted) used.sort();
    let w = 0;
    for (let r = 0; r < this.count; r++) {
      if (w === 0 || used[r] !== used[w - 1]) used[w++] = used[r]!;
    }
    this.count = w;
    this.sorted = true;
    this.dirty = false;
  }
}

/** The id as a number when its text is exactly that number's ("7", not "07" or "7.0"). */
function integerOf(id: string | number): number | null {
  const n = typeof id === 'number' ? id : Number(id);
  return Number.isSafeInteger(n) && (typeof id === 'number' || String(n) === id) ? n : null;
}
