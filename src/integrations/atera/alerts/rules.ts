import type { AteraAlert } from '../client/index.js';
import type { MaintenanceWindow, SeverityRule } from '../settings/schema.js';

/**
 * The alert rules beyond the guide, as pure functions of the alert, the settings and the time, so the
 * poll, the preview and the tests evaluate exactly the same decisions.
 */

/** The "same alert condition" for de-duplication: Atera's numeric code, else the title. */
export function conditionKey(alert: Pick<AteraAlert, 'Code' | 'Title'>): string {
  if (alert.Code !== null && alert.Code !== undefined) return `code:${alert.Code}`;
  return `title:${(alert.Title ?? '').trim().toLowerCase()}`;
}

export function severityRule(rules: Record<string, SeverityRule>, severity: string | null): SeverityRule {
  return rules[severity ?? ''] ?? { create_ticket: true, priority_id: null };
}

/** Atera timestamps carry no offset; Keel reads them as UTC (reference §5 says the zone is unverified). */
export function ateraTime(ts: string | null): Date | null {
  if (!ts) return null;
  const d = new Date(/(Z|[+-]\d\d:?\d\d)$/.test(ts) ? ts : `${ts}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Flap control: an alert younger than the delay is held; its ticket waits until it has stayed open that long. */
export function heldByFlapDelay(
  alert: Pick<AteraAlert, 'Created'>,
  flapMinutes: number,
  now: Date,
  firstSeen: Date,
): Date | null {
  if (flapMinutes <= 0) return null;
  const since = ateraTime(alert.Created) ?? firstSeen;
  const until = new Date(since.getTime() + flapMinutes * 60_000);
  return until > now ? until : null;
}

/** The maintenance window covering this customer/site at `now`, if any. */
export function inMaintenance(
  windows: MaintenanceWindow[],
  clientId: number | null,
  siteId: number | null,
  now: Date,
): MaintenanceWindow | null {
  for (const w of windows) {
    const applies =
      (w.site_id !== undefined && w.site_id === siteId) ||
      (w.site_id === undefined && w.client_id !== undefined && w.client_id === clientId);
    if (applies && new Date(w.starts_at) <= now && now < new Date(w.ends_at)) return w;
  }
  return null;
}

export type AlertDecision =
  | { kind: 'record'; reason: string }
  | { kind: 'hold'; reason: string }
  | { kind: 'dedupe'; ticketId: number; reason: string }
  | { kind: 'ticket'; priorityId: number | null; reason: string };

/**
 * What happens to an open alert that has no ticket yet. Order: severity rule (record only), then
 * maintenance window and flap delay (hold and re-check), then de-duplication (join the open ticket
 * for the same device and condition), else a new ticket.
 */
export function decide(input: {
  alert: AteraAlert;
  rules: Record<string, SeverityRule>;
  windows: MaintenanceWindow[];
  flapMinutes: number;
  clientId: number | null;
  siteId: number | null;
  now: Date;
  firstSeen: Date;
  openTicketForCondition: number | null;
}): AlertDecision {
  const rule = severityRule(input.rules, input.alert.Severity);
  if (!rule.create_ticket)
    return { kind: 'record', reason: `${input.alert.Severity ?? 'unknown'} alerts are recorded without a ticket` };
  const window = inMaintenance(input.windows, input.clientId, input.siteId, input.now);
  if (window)
    return {
      kind: 'hold',
      reason: `maintenance window until ${window.ends_at}${window.reason ? ` (${window.reason})` : ''}`,
    };
  const until = heldByFlapDelay(input.alert, input.flapMinutes, input.now, input.firstSeen);
  if (until)
    return { kind: 'hold', reason: `flap delay: a ticket is raised if it is still open at ${until.toISOString()}` };
  if (input.openTicketForCondition !== null) {
    return {
      kind: 'dedupe',
      ticketId: input.openTicketForCondition,
      reason: `same device and condition as open ticket ${input.openTicketForCondition}`,
    };
  }
  return { kind: 'ticket', priorityId: rule.priority_id, reason: 'new alert' };
}

/** The ticket text for an alert: everything a technician needs without opening Atera. */
export function ticketText(alert: AteraAlert): { summary: string; details: string } {
  const summary = (alert.Title?.trim() || `Atera alert ${alert.AlertID}`).slice(0, 250);
  const lines = [
    alert.AlertMessage ? `Message: ${alert.AlertMessage}` : null,
    `Severity: ${alert.Severity ?? 'unknown'}`,
    `Category: ${alert.AlertCategoryID ?? 'unknown'}`,
    `Device: ${alert.DeviceName ?? 'unknown'}${alert.AgentId ? ` (Atera agent ${alert.AgentId})` : ''}`,
    `Customer: ${alert.CustomerName ?? 'unknown'}${alert.CustomerID ? ` (Atera customer ${alert.CustomerID})` : ''}`,
    `Created: ${alert.Created ?? 'unknown'}`,
    alert.AdditionalInfo ? `Additional info: ${alert.AdditionalInfo}` : null,
    `Atera alert id: ${alert.AlertID}`,
  ];
  return { summary, details: lines.filter((l) => l !== null).join('\n') };
}
