import type { HaloResource } from '../../http/halo-resource.js';
import { userOutput, userQuery, userWrite } from './schemas.js';
import { deleteUser, getUser, listUsers, saveUsers } from './users.js';

/** End users: only admins change them (issue), technicians read them. */
export const userResource: HaloResource<typeof userQuery, typeof userWrite, typeof userOutput> = {
  path: 'Users',
  tag: 'Users',
  listKey: 'users',
  adminWrite: true,
  query: userQuery,
  write: userWrite,
  output: userOutput,
  list: listUsers,
  get: (ctx, id) => getUser(ctx, id),
  save: saveUsers,
  remove: (ctx, id) => deleteUser(ctx, id),
};
