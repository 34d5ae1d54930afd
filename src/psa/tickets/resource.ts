import type { HaloResource } from '../../http/halo-resource.js';
import { deleteAction, getAction, listActions, saveActions } from './actions.js';
import { actionOutput, actionQuery, actionWrite, ticketOutput, ticketQuery, ticketWrite } from './schemas.js';
import { deleteTicket, getTicket, listTickets, saveTickets } from './tickets.js';

/** Technicians work tickets: they may create and update them; deleting needs an administrator (deleteTicket). */
export const ticketResource: HaloResource<typeof ticketQuery, typeof ticketWrite, typeof ticketOutput> = {
  path: 'Tickets',
  tag: 'Tickets',
  listKey: 'tickets',
  query: ticketQuery,
  write: ticketWrite,
  output: ticketOutput,
  list: listTickets,
  get: (ctx, id) => getTicket(ctx, id),
  save: saveTickets,
  // Halo's `?reason=` is accepted and not stored (Keel keeps no deleted-ticket log).
  remove: deleteTicket,
};

/** GET /Actions always answers with the object `{record_count, actions}` (plus page_no/page_size). */
export const actionResource: HaloResource<typeof actionQuery, typeof actionWrite, typeof actionOutput> = {
  path: 'Actions',
  tag: 'Tickets',
  listKey: 'actions',
  query: actionQuery,
  write: actionWrite,
  output: actionOutput,
  list: listActions,
  get: (ctx, id) => getAction(ctx, id),
  save: saveActions,
  remove: (ctx, id) => deleteAction(ctx, id),
};
