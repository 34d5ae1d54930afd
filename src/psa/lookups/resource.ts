import type { HaloResource } from '../../http/halo-resource.js';
import { deletePriority, getPriority, listPriorities, savePriorities } from './priorities.js';
import {
  priorityOutput,
  priorityQuery,
  priorityWrite,
  statusOutput,
  statusQuery,
  statusWrite,
  ticketTypeOutput,
  ticketTypeQuery,
  ticketTypeWrite,
} from './schemas.js';
import { deleteStatus, getStatus, listStatuses, saveStatuses } from './statuses.js';
import { deleteTicketType, getTicketType, listTicketTypes, saveTicketTypes } from './ticket-types.js';

export const ticketTypeResource: HaloResource<typeof ticketTypeQuery, typeof ticketTypeWrite, typeof ticketTypeOutput> =
  {
    path: 'TicketType',
    tag: 'Tickets',
    listKey: 'tickettypes',
    bareArray: true,
    adminWrite: true,
    query: ticketTypeQuery,
    write: ticketTypeWrite,
    output: ticketTypeOutput,
    list: listTicketTypes,
    get: (ctx, id) => getTicketType(ctx, id),
    save: (ctx, items) => saveTicketTypes(ctx, items),
    remove: (ctx, id) => deleteTicketType(ctx, id),
  };

export const statusResource: HaloResource<typeof statusQuery, typeof statusWrite, typeof statusOutput> = {
  path: 'Status',
  tag: 'Tickets',
  // Only used with pageinate=true; panoramicdata's client expects `statuses` there.
  listKey: 'statuses',
  bareArray: true,
  adminWrite: true,
  query: statusQuery,
  write: statusWrite,
  output: statusOutput,
  list: listStatuses,
  get: (ctx, id) => getStatus(ctx, id),
  save: (ctx, items) => saveStatuses(ctx, items),
  remove: (ctx, id) => deleteStatus(ctx, id),
};

export const priorityResource: HaloResource<typeof priorityQuery, typeof priorityWrite, typeof priorityOutput> = {
  path: 'Priority',
  tag: 'Tickets',
  // Only used with pageinate=true; panoramicdata's client expects `priorities` there.
  listKey: 'priorities',
  bareArray: true,
  adminWrite: true,
  query: priorityQuery,
  write: priorityWrite,
  output: priorityOutput,
  list: listPriorities,
  get: (ctx, id) => getPriority(ctx, id),
  save: (ctx, items) => savePriorities(ctx, items),
  remove: (ctx, id) => deletePriority(ctx, id),
};
