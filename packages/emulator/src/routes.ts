/** The API table of px-api.md, under `/v1`. Literal routes come before `{id}` routes. */
import { accountAttributes, createEvent, putPreferences, userAttributes } from './api-misc.js';
import { accountHandlers as a, userHandlers as u } from './api-records.js';
import type { Handler } from './context.js';
import { Router } from './router.js';

export function apiRouter(): Router<Handler> {
  return new Router<Handler>()
    .add('/v1/users', { GET: u.list, POST: u.create })
    .add('/v1/users/update', { PUT: u.updateByBody })
    .add('/v1/users/delete', { DELETE: u.removeByBody })
    .add('/v1/users/{id}', { GET: u.get, PUT: u.updateById, DELETE: u.remove })
    .add('/v1/accounts', { GET: a.list, POST: a.create })
    .add('/v1/accounts/update', { PUT: a.updateByBody })
    .add('/v1/accounts/{id}', { GET: a.get, PUT: a.updateById, DELETE: a.remove })
    .add('/v1/admin/model/user/attributes', { GET: userAttributes })
    .add('/v1/admin/model/account/attributes', { GET: accountAttributes })
    .add('/v1/events/custom', { POST: createEvent })
    .add('/v1/user/preferences/{id}', { PUT: putPreferences });
}
