import type { Migration } from '../migrator.js';

/**
 * An asset link's content hash says "this device was written to this asset as it is now"; it only holds while
 * the asset still carries the device's Atera id and is active. The asset import's unchanged check read that by
 * joining every link to its asset at the start of each run (on PGlite ~165 of ~215 ms for 100,000 links, on the
 * thread that reads the pages). Instead, whatever breaks it clears the hash where it happens, whoever does it
 * (the import, the REST API, deactivation, deletion, an admin's SQL): the Atera id changing, the asset being
 * deactivated or deleted. A link without a hash is never taken as unchanged; the next run plans its device.
 * The import writes a link's hash only after writing its asset, in the same transaction (assets/apply.ts).
 */
export const m009_asset_link_soundness: Migration = {
  name: '009_asset_link_soundness',
  statements: [
    `CREATE FUNCTION asset_link_unsound() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- Asset links are the Atera integration's (the only one that links assets); this is the link index's prefix.
      UPDATE sync_link SET hash = NULL
      WHERE integration = 'atera' AND entity = 'asset' AND local_id = OLD.id AND hash IS NOT NULL;
      RETURN NULL;
    END $$`,
    `CREATE TRIGGER asset_link_unsound_on_change AFTER UPDATE OF atera_id, inactive ON asset
      FOR EACH ROW WHEN (OLD.atera_id IS DISTINCT FROM NEW.atera_id OR (NEW.inactive AND NOT OLD.inactive))
      EXECUTE FUNCTION asset_link_unsound()`,
    `CREATE TRIGGER asset_link_unsound_on_delete AFTER DELETE ON asset
      FOR EACH ROW EXECUTE FUNCTION asset_link_unsound()`,
    // Links already unsound when this runs (the join used to leave them out).
    `UPDATE sync_link l SET hash = NULL
      WHERE l.entity = 'asset' AND l.hash IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM asset a WHERE a.id = l.local_id AND a.atera_id = l.external_id AND NOT a.inactive)`,
  ],
};
