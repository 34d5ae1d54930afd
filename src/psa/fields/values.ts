import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import type { FieldType, FieldValues } from '../../db/schema.js';

export interface FieldDef {
  id: number;
  name: string;
  label?: string;
  type: FieldType;
}

/** What callers send in `customfields[]` / `fields[]`: Halo identifies a field by id or by name. */
export const fieldValueInput = z.object({
  id: z.number().int().min(1).max(2_147_483_647).optional(),
  name: z.string().max(200).optional(),
  value: z.union([z.string().max(100_000), z.number(), z.boolean(), z.null()]),
});
export type FieldValueInput = z.infer<typeof fieldValueInput>;

export const fieldValueOutput = z.object({
  id: z.number(),
  name: z.string(),
  label: z.string().optional(),
  type: z.string(),
  value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
});

/** Converts a value to the field's type, or says why it cannot. Empty strings clear the field. */
export function coerceFieldValue(def: FieldDef, value: unknown): string | number | boolean | null {
  if (value === null || value === undefined || value === '') return null;
  switch (def.type) {
    case 'number': {
      const n = typeof value === 'number' ? value : Number(String(value).trim());
      if (!Number.isFinite(n)) throw new Error(`"${String(value).slice(0, 50)}" is not a number`);
      return n;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      const s = String(value).trim().toLowerCase();
      if (['true', '1', 'yes'].includes(s)) return true;
      if (['false', '0', 'no'].includes(s)) return false;
      throw new Error(`"${String(value).slice(0, 50)}" is not true or false`);
    }
    case 'date': {
      const d = new Date(typeof value === 'number' ? value : String(value));
      if (Number.isNaN(d.getTime())) throw new Error(`"${String(value).slice(0, 50)}" is not a date`);
      return d.toISOString();
    }
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

/**
 * Applies incoming `[{id|name, value}]` to stored values: only the fields sent change. Unknown fields
 * and values of the wrong type are refused with the path of the offending element.
 */
export function applyFieldValues(
  stored: FieldValues,
  incoming: FieldValueInput[] | undefined,
  defs: FieldDef[],
  path: string,
): FieldValues {
  if (!incoming) return stored;
  const out: FieldValues = { ...stored };
  incoming.forEach((f, i) => {
    const def =
      f.id !== undefined
        ? defs.find((d) => d.id === f.id)
        : defs.find((d) => d.name.toLowerCase() === f.name?.toLowerCase());
    if (!def) {
      throw new AppError(
        'validation',
        `${path}[${i}] names a field that does not exist (${f.id ?? f.name ?? 'no id or name'})`,
        [{ path: `${path}[${i}]`, message: 'unknown field' }],
      );
    }
    try {
      const v = coerceFieldValue(def, f.value);
      if (v === null) delete out[String(def.id)];
      else out[String(def.id)] = v;
    } catch (e) {
      throw new AppError('validation', `${path}[${i}].value: ${(e as Error).message}`, [
        { path: `${path}[${i}].value`, message: (e as Error).message },
      ]);
    }
  });
  return out;
}

/** Stored values as Halo's array form, in the order of the definitions. */
export function fieldValuesToArray(values: FieldValues, defs: FieldDef[]): z.infer<typeof fieldValueOutput>[] {
  const out: z.infer<typeof fieldValueOutput>[] = [];
  for (const d of defs) {
    const v = values[String(d.id)];
    if (v !== undefined)
      out.push({ id: d.id, name: d.name, ...(d.label ? { label: d.label } : {}), type: d.type, value: v });
  }
  return out;
}
