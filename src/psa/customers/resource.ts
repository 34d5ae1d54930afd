import type { HaloResource } from '../../http/halo-resource.js';
import { deleteClient, getClient, listClients, saveClients } from './customers.js';
import { clientOutput, clientQuery, clientWrite } from './schemas.js';

export const clientResource: HaloResource<typeof clientQuery, typeof clientWrite, typeof clientOutput> = {
  path: 'Client',
  tag: 'Customers',
  listKey: 'clients',
  query: clientQuery,
  write: clientWrite,
  output: clientOutput,
  list: listClients,
  get: (ctx, id) => getClient(ctx, id),
  save: saveClients,
  remove: (ctx, id) => deleteClient(ctx, id),
};
