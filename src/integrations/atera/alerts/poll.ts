import { type Kysely, sql } from 'kysely';
import type { AppContext } from '../../../app/context.js';
import { AppError } from '../../../core/errors.js';
import { vacuumAfterBulkWrite } from '../../../db/growth-analyzer.js';
import type { DB, Row } from '../../../db/schema.js';
import { addSystemNote, insertTickets, type NewTicketRow, ticketWorked } from '../../../psa/tickets/internal.js';
import { changeTicketStatus, defaultClosedStatus, defaultOpenStatus } from '../../../psa/tickets/status-change.js';
import type { Change } from '../../../sync/runs.js';
import type { AteraAlert, AteraClient, ReadSummary } from '../client/index.js';
import type { AteraSettings } from '../settings/schema.js';
import { loadAteraSettings } from '../settings/settings.js';
import { type AlertDecision, ateraTime, conditionKey, decide, ticketText } from './rules.js';
import { type AlertTarget, alertTargets } from './targets.js';

const SOURCE = 'atera';
const ACTOR = { kind: 'system' as const, id: null, name: 'Atera RMM' };

export interface PollOutcome {
  changes: Change[];
  read: { open: ReadSummary; snoozed: ReadSummary };
  /** Alerts fetched one by one because they left the open list. */
  checked: number;
}

type Known = Row<'atera_alert'>;

/** One alert's planned outcome; `asTicket` is what a same-page duplicate would get if it had to stand alone. */
interface Decided {
  alert: AteraAlert;
  target: AlertTarget;
  decision: AlertDecision;
  known?: Known;
  asTicket?: Extract<AlertDecision, { kind: 'ticket' }>;
}

/**
 * One alert poll (guide: "Alerting"; the Integrator runs it every 5 minutes). Reads Atera's open and
 * snoozed alerts; a new alert becomes a ticket (or joins one, or is recorded/held by the rules); every
 * alert Keel knows as open but Atera no longer lists as open is fetched, and its ticket is closed when
 * Atera resolved or deleted it. With `preview`, the same decisions are returned and nothing is written.
 * A steady-state poll (nothing new, nothing resolved) writes nothing.
 */
export async function pollAlerts(
  ctx: AppContext,
  client: AteraClient,
  opts: { preview: boolean },
): Promise<PollOutcome> {
  const settings = await loadAteraSettings(ctx.db);
  if (!settings.atera_enable_alerting) {
    throw new AppError('validation', 'Alert processing is not enabled: set atera_enable_alerting first', [
      { path: 'atera_enable_alerting', message: 'not enabled' },
    ]);
  }
  if (settings.atera_alert_type === null) {
    throw new AppError('validation', 'Choose the ticket type for alert tickets (atera_alert_type)', [
      { path: 'atera_alert_type', message: 'not set' },
    ]);
  }
  const changes: Change[] = [];
  const now = ctx.clock.now();
  const start = await openAlertIds(ctx.db);
  // Alerts Keel has as open or snoozed and this poll has not decided on yet (a re-read of the open list looks
  // the decided ones up afresh).
  const knownOpen = new Set(start.all);
  const newThisPoll: number[] = [];
  let seenOpen = new Set<number>();
  let openRead = client.alerts({ status: 'Open' });
  // Atera pages by offset: an alert resolved or raised while the list is read shifts the later pages, so a new
  // alert can be skipped; the reader then says the read is not complete. Read again (up to 3 times): alerts
  // already handled are steady the second time, and a skipped one gets its ticket now, not a poll later.
  for (let attempt = 1; ; attempt++) {
    const rejected: Change[] = [];
    seenOpen = new Set<number>();
    for await (const page of openRead) {
      for (const r of page.rejected)
        rejected.push({
          entity: 'alert',
          external_id: r.id === null ? null : String(r.id),
          local_id: null,
          action: 'error',
          name: null,
          reason: `${r.field}: ${r.reason}`,
          fields: null,
        });
      for (const a of page.records) seenOpen.add(a.AlertID);
      await processOpenPage(ctx, settings, page.records, now, opts.preview, changes, knownOpen, start, newThisPoll);
    }
    if (opts.preview || openRead.summary().complete || attempt >= 3) {
      changes.push(...rejected);
      break;
    }
    openRead = client.alerts({ status: 'Open' });
  }
  const snoozed = new Set<number>();
  const snoozedRead = client.alerts({ status: 'Snoozed' });
  for await (const page of snoozedRead) for (const a of page.records) snoozed.add(a.AlertID);
  // Every alert Keel had as open or snoozed, or made this poll, that Atera did not list as open may have been
  // resolved or deleted there: read back as it is now (this poll may have changed it). Left out: alerts snoozed
  // in Keel and in Atera alike that this poll did not touch, as nothing would change for them.
  const touched = new Set(newThisPoll);
  for (const id of start.all) if (!knownOpen.has(id)) touched.add(id);
  const gone = [...new Set([...start.all, ...touched])].filter(
    (id) => !seenOpen.has(id) && !(snoozed.has(id) && start.snoozed.has(id) && !touched.has(id)),
  );
  const candidates = gone.length
    ? await ctx.db
        .selectFrom('atera_alert')
        .selectAll()
        .where(sql<boolean>`alert_id = ANY(${gone}::bigint[])`)
        .where('state', 'in', ['open', 'snoozed'])
        .orderBy('alert_id')
        .execute()
    : [];
  const checked = await reconcileGone(ctx, client, settings, candidates, seenOpen, snoozed, now, opts.preview, changes);
  // A poll that met a flood of new alerts (a first poll, an outage) leaves the ticket tables ready for lists:
  // without statistics on ticket_asset, every ticket read planned a scan of it (load benchmark: list p95 102 ms
  // with all three vacuumed, 384 ms with only the ticket table).
  if (!opts.preview) await vacuumAfterBulkWrite(ctx.db, ['ticket', 'atera_alert', 'ticket_asset'], newThisPoll.length);
  return { changes, read: { open: openRead.summary(), snoozed: snoozedRead.summary() }, checked };
}

/**
 * The ids of the alerts Keel has as open or snoozed, and which of those are snoozed or held (pending), as three
 * comma-separated lists in one row: a steady poll needs no more of them, and reading 10,000 whole rows cost
 * ~225 ms on PGlite, most of a steady poll, against ~10 ms for this.
 */
async function openAlertIds(db: Kysely<DB>): Promise<{ all: number[]; snoozed: Set<number>; pending: Set<number> }> {
  const { rows } = await sql<{ all: string; snoozed: string; pending: string }>`
    SELECT coalesce(string_agg(alert_id::text, ','), '') AS all,
      coalesce(string_agg(CASE WHEN state = 'snoozed' THEN alert_id::text END, ','), '') AS snoozed,
      coalesce(string_agg(CASE WHEN disposition = 'pending' THEN alert_id::text END, ','), '') AS pending
    FROM atera_alert WHERE state IN ('open', 'snoozed')`.execute(db);
  const ids = (text: string | undefined) => (text ? text.split(',').map(Number) : []);
  return { all: ids(rows[0]?.all), snoozed: new Set(ids(rows[0]?.snoozed)), pending: new Set(ids(rows[0]?.pending)) };
}

async function processOpenPage(
  ctx: AppContext,
  settings: AteraSettings,
  alerts: AteraAlert[],
  now: Date,
  preview: boolean,
  changes: Change[],
  knownOpen: Set<number>,
  start: { snoozed: Set<number>; pending: Set<number> },
  newThisPoll: number[],
): Promise<void> {
  if (alerts.length === 0) return;
  // Alerts Keel has as open and settled (not held, not snoozed) are steady: a steady-state poll makes no query
  // per page. The others (new ones, ones Keel had closed, held or snoozed ones) are looked up whole.
  const lookUp = new Set(
    alerts
      .filter((a) => !knownOpen.has(a.AlertID) || start.snoozed.has(a.AlertID) || start.pending.has(a.AlertID))
      .map((a) => a.AlertID),
  );
  if (lookUp.size === 0) return;
  const known = new Map<number, Known>();
  for (const k of await ctx.db
    .selectFrom('atera_alert')
    .selectAll()
    .where('alert_id', 'in', [...lookUp])
    .execute()) {
    known.set(k.alert_id, k);
  }
  // New alerts, and held ones (flap delay, maintenance) whose hold may have ended; everything else is steady.
  const todo = alerts.filter((a) => {
    if (!lookUp.has(a.AlertID)) return false;
    const k = known.get(a.AlertID);
    return !k || k.disposition === 'pending' || k.state === 'snoozed';
  });
  if (todo.length === 0) return;
  // What this page decides changes those rows: a re-read in the same poll looks them up afresh.
  for (const a of todo) {
    if (knownOpen.delete(a.AlertID) === false) newThisPoll.push(a.AlertID);
  }
  const targets = await alertTargets(ctx.db, settings, todo);
  const decisions: Decided[] = [];
  const plannedCondition = new Map<string, number | 'new'>();
  for (const alert of todo) {
    const target = targets.get(alert.AlertID)!;
    const k = known.get(alert.AlertID);
    if (k && k.disposition !== 'pending') {
      // A snoozed alert that is open again: just open again (its ticket, if any, was left as it was).
      if (!preview)
        await ctx.db.updateTable('atera_alert').set({ state: 'open' }).where('alert_id', '=', alert.AlertID).execute();
      continue;
    }
    const condKey = `${alert.AgentId ?? alert.DeviceGuid ?? alert.DeviceName}|${conditionKey(alert)}`;
    let openTicket: number | null = null;
    if (settings.atera_alert_dedupe) {
      const planned = plannedCondition.get(condKey);
      openTicket = typeof planned === 'number' ? planned : await openTicketFor(ctx.db, alert, conditionKey(alert));
    }
    const decision = decide({
      alert,
      rules: settings.atera_alert_severity_rules,
      windows: settings.atera_maintenance_windows,
      flapMinutes: settings.atera_alert_flap_minutes,
      clientId: target.client_id,
      siteId: target.site_id,
      now,
      firstSeen: k ? new Date(k.first_seen) : now,
      openTicketForCondition: openTicket,
    });
    // Two new alerts for one condition in the same page: the second joins the first's ticket.
    if (decision.kind === 'ticket' && settings.atera_alert_dedupe && plannedCondition.get(condKey) === 'new') {
      decisions.push({
        alert,
        target,
        decision: { kind: 'dedupe', ticketId: -1, reason: 'same device and condition as another new alert' },
        known: k,
        asTicket: decision,
      });
      continue;
    }
    if (decision.kind === 'ticket') plannedCondition.set(condKey, 'new');
    decisions.push({ alert, target, decision, known: k });
  }
  for (const d of decisions) {
    const action = { ticket: 'create', dedupe: 'update', record: 'skip', hold: 'skip' }[
      d.decision.kind
    ] as Change['action'];
    changes.push({
      entity: 'alert',
      external_id: String(d.alert.AlertID),
      local_id: d.decision.kind === 'dedupe' && d.decision.ticketId > 0 ? d.decision.ticketId : null,
      action,
      name: d.alert.Title,
      reason: `${d.decision.reason}; ticket goes to ${d.target.how}`,
      fields: {
        severity: { before: null, after: d.alert.Severity },
        device: { before: null, after: d.alert.DeviceName },
      },
    });
  }
  if (preview) return;
  await writeDecisions(ctx, settings, decisions, now, changes);
}

async function openTicketFor(db: Kysely<DB>, alert: AteraAlert, key: string): Promise<number | null> {
  const device = alert.AgentId !== null ? { col: 'agent_id' as const, val: alert.AgentId } : null;
  if (!device) return null;
  const row = await db
    .selectFrom('atera_alert as a')
    .innerJoin('ticket as t', 't.id', 'a.ticket_id')
    .select('t.id')
    .where('a.condition_key', '=', key)
    .where(`a.${device.col}`, '=', device.val)
    .where('t.dateclosed', 'is', null)
    .orderBy('t.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * Writes one page's decisions in one transaction. The alert rows go in first with ON CONFLICT DO
 * NOTHING: only the alerts this poller inserted get tickets, so two pollers (or a retried job) never
 * make two tickets for one alert, and a ticket never exists without its alert row.
 */
async function writeDecisions(
  ctx: AppContext,
  settings: AteraSettings,
  decisions: Decided[],
  now: Date,
  changes: Change[],
): Promise<void> {
  const nowIso = now.toISOString();
  const openStatus = await defaultOpenStatus(ctx.db);
  await ctx.db.transaction().execute(async (tx) => {
    const fresh = decisions.filter((d) => !d.known);
    const row = (d: Decided, disposition: Known['disposition']) => ({
      alert_id: d.alert.AlertID,
      agent_id: d.alert.AgentId,
      device_guid: d.alert.DeviceGuid,
      device_name: d.alert.DeviceName,
      customer_id: d.alert.CustomerID,
      customer_name: d.alert.CustomerName,
      code: d.alert.Code,
      title: d.alert.Title,
      severity: d.alert.Severity,
      category: d.alert.AlertCategoryID,
      condition_key: conditionKey(d.alert),
      state: 'open' as const,
      disposition,
      pending_reason: d.decision.kind === 'hold' || d.decision.kind === 'record' ? d.decision.reason : null,
      atera_created: ateraTime(d.alert.Created)?.toISOString() ?? null,
      first_seen: nowIso,
      last_seen: nowIso,
    });
    const disposition = (d: Decided): Known['disposition'] =>
      ({ ticket: 'ticket', dedupe: 'deduplicated', record: 'recorded', hold: 'pending' })[
        d.decision.kind
      ] as Known['disposition'];
    const mine = new Set<number>();
    for (let i = 0; i < fresh.length; i += 500) {
      const chunk = fresh.slice(i, i + 500);
      const inserted = await tx
        .insertInto('atera_alert')
        .values(chunk.map((d) => row(d, disposition(d))))
        .onConflict((oc) => oc.column('alert_id').doNothing())
        .returning('alert_id')
        .execute();
      for (const r of inserted) mine.add(r.alert_id);
    }
    // Held alerts whose hold ended are ours to convert: claim them by moving them out of 'pending'.
    for (const d of decisions.filter((x) => x.known && x.decision.kind !== 'hold')) {
      const res = await tx
        .updateTable('atera_alert')
        .set({ disposition: disposition(d), pending_reason: d.decision.kind === 'record' ? d.decision.reason : null })
        .where('alert_id', '=', d.alert.AlertID)
        .where('disposition', '=', 'pending')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 1) mine.add(d.alert.AlertID);
    }
    // Two polls at once: a same-page duplicate this poller inserted, whose first alert the other poller
    // inserted, joins the ticket that poller made (committed: our insert waited for it), or, when that alert
    // has no ticket, becomes the ticket itself. Never "de-duplicated" into nothing.
    for (const d of decisions) {
      if (d.decision.kind !== 'dedupe' || d.decision.ticketId >= 0 || !mine.has(d.alert.AlertID)) continue;
      const first = decisions.find(
        (x) =>
          x.decision.kind === 'ticket' &&
          x.alert.AgentId === d.alert.AgentId &&
          conditionKey(x.alert) === conditionKey(d.alert),
      );
      if (first && mine.has(first.alert.AlertID)) continue;
      const other = first
        ? await tx
            .selectFrom('atera_alert')
            .select('ticket_id')
            .where('alert_id', '=', first.alert.AlertID)
            .executeTakeFirst()
        : undefined;
      if (other?.ticket_id != null) {
        d.decision = { ...d.decision, ticketId: other.ticket_id };
      } else if (d.asTicket) {
        d.decision = d.asTicket;
        await tx
          .updateTable('atera_alert')
          .set({ disposition: 'ticket' })
          .where('alert_id', '=', d.alert.AlertID)
          .execute();
        const ch = changes.find((c) => c.external_id === String(d.alert.AlertID));
        if (ch) ch.action = 'create';
      }
    }
    const toTicket = decisions.filter((d) => d.decision.kind === 'ticket' && mine.has(d.alert.AlertID));
    const rows: NewTicketRow[] = toTicket.map((d) => {
      const text = ticketText(d.alert);
      return {
        summary: text.summary,
        details: text.details,
        tickettype_id: settings.atera_alert_type!,
        status_id: openStatus.id,
        priority_id: d.decision.kind === 'ticket' ? d.decision.priorityId : null,
        client_id: d.target.client_id,
        site_id: d.target.site_id,
        user_id: d.target.user_id,
        dateoccurred: ateraTime(d.alert.Created)?.toISOString() ?? nowIso,
        isalert: true,
        atera_alert_id: d.alert.AlertID,
        asset_id: d.target.asset_id,
      };
    });
    const created = await insertTickets(tx, rows);
    const ticketOf = new Map(created.map((c) => [c.atera_alert_id!, c.id]));
    // One statement links every new ticket to its alert row.
    if (created.length) {
      const pairs = sql.join(created.map((c) => sql`(${c.atera_alert_id}::bigint, ${c.id}::integer)`));
      await sql`UPDATE atera_alert AS a SET ticket_id = v.tid FROM (VALUES ${pairs}) AS v(aid, tid) WHERE a.alert_id = v.aid`.execute(
        tx,
      );
    }
    // De-duplicated alerts join their ticket (or the ticket a same-page alert just got).
    for (const d of decisions) {
      if (d.decision.kind !== 'dedupe' || !mine.has(d.alert.AlertID)) continue;
      let ticketId = d.decision.ticketId;
      if (ticketId < 0) {
        const first = toTicket.find(
          (x) => x.alert.AgentId === d.alert.AgentId && conditionKey(x.alert) === conditionKey(d.alert),
        );
        ticketId = first ? (ticketOf.get(first.alert.AlertID) ?? -1) : -1;
      }
      if (ticketId < 0) continue;
      await tx
        .updateTable('atera_alert')
        .set({ ticket_id: ticketId })
        .where('alert_id', '=', d.alert.AlertID)
        .execute();
      await addSystemNote(
        tx,
        ticketId,
        `Atera raised the same alert again: ${d.alert.Title ?? ''} (Atera alert ${d.alert.AlertID}, ${d.alert.Severity ?? 'unknown severity'}, ${d.alert.Created ?? ''}). This ticket now tracks it too.`,
        nowIso,
      );
    }
    for (const ch of changes) {
      const id = ch.external_id ? ticketOf.get(Number(ch.external_id)) : undefined;
      if (id !== undefined) ch.local_id = id;
    }
  });
}

/**
 * Alerts Keel has as open (or snoozed) that Atera no longer lists as open: fetch each, record its new
 * state, and close its ticket when every alert the ticket tracks is resolved or deleted.
 */
async function reconcileGone(
  ctx: AppContext,
  client: AteraClient,
  settings: AteraSettings,
  candidates: Known[],
  open: Set<number>,
  snoozed: Set<number>,
  now: Date,
  preview: boolean,
  changes: Change[],
): Promise<number> {
  let checked = 0;
  for (const k of candidates) {
    if (open.has(k.alert_id)) continue;
    if (snoozed.has(k.alert_id)) {
      if (k.state !== 'snoozed' && !preview)
        await ctx.db.updateTable('atera_alert').set({ state: 'snoozed' }).where('alert_id', '=', k.alert_id).execute();
      continue;
    }
    checked++;
    const current = await client.getAlert(k.alert_id);
    const state: Known['state'] = current === null ? 'deleted' : current.Archived ? 'resolved' : 'open';
    if (state === 'open') continue;
    const when = current?.ArchivedDate ?? null;
    changes.push({
      entity: 'alert',
      external_id: String(k.alert_id),
      local_id: k.ticket_id,
      action: k.ticket_id ? 'update' : 'unchanged',
      name: k.title,
      reason: `${state} in Atera${when ? ` at ${when}` : ''}`,
      fields: { state: { before: k.state, after: state } },
    });
    if (preview) continue;
    await ctx.db.transaction().execute(async (tx) => {
      const res = await tx
        .updateTable('atera_alert')
        .set({ state, resolved_at: now.toISOString() })
        .where('alert_id', '=', k.alert_id)
        .where('state', 'in', ['open', 'snoozed'])
        .executeTakeFirst();
      if (
        Number(res.numUpdatedRows) !== 1 ||
        k.ticket_id === null ||
        (k.disposition !== 'ticket' && k.disposition !== 'deduplicated')
      )
        return;
      await closeTicketForAlert(ctx, tx, settings, k, state, when, now);
    });
  }
  return checked;
}

async function closeTicketForAlert(
  ctx: AppContext,
  tx: Kysely<DB>,
  settings: AteraSettings,
  k: Known,
  state: string,
  when: string | null,
  now: Date,
): Promise<void> {
  const ticketId = k.ticket_id!;
  const nowIso = now.toISOString();
  const ticket = await tx.selectFrom('ticket').select(['dateclosed']).where('id', '=', ticketId).executeTakeFirst();
  if (!ticket || ticket.dateclosed) return;
  const verb = state === 'deleted' ? 'deleted' : 'resolved';
  const stillOpen = await tx
    .selectFrom('atera_alert')
    .select('alert_id')
    .where('ticket_id', '=', ticketId)
    .where('state', 'in', ['open', 'snoozed'])
    .execute();
  if (stillOpen.length > 0) {
    await addSystemNote(
      tx,
      ticketId,
      `Atera alert ${k.alert_id} was ${verb} in Atera${when ? ` at ${when}` : ''}; the ticket stays open for alert(s) ${stillOpen.map((s) => s.alert_id).join(', ')}.`,
      nowIso,
    );
    return;
  }
  if (settings.atera_alert_close_only_untouched && (await ticketWorked(tx, ticketId))) {
    await addSystemNote(
      tx,
      ticketId,
      `Atera alert ${k.alert_id} was ${verb} in Atera${when ? ` at ${when}` : ''}. A technician has worked this ticket, so it was left open.`,
      nowIso,
    );
    return;
  }
  const closed = await defaultClosedStatus(tx);
  await changeTicketStatus(ctx, tx, ticketId, closed.id, ACTOR, {
    note: `Closed because Atera alert ${k.alert_id} was ${verb} in Atera${when ? ` at ${when}` : ''} (noticed ${nowIso}).`,
    source: SOURCE,
  });
}
