import type { Migration } from '../migrator.js';

/**
 * How a link came to be: 'created' (the integration created the local record, so it follows renames),
 * 'matched' (linked to an existing record by name or matching field) or 'mapped' (an admin's mapping).
 */
export const m005_sync_link_origin: Migration = {
  name: '005_sync_link_origin',
  statements: [`ALTER TABLE sync_link ADD COLUMN origin text NOT NULL DEFAULT 'matched'`],
};
