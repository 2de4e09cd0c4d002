/** Custom events, user preferences and attribute metadata. */
import type { Handler } from './context.js';
import { notFound } from './http-error.js';
import { attributeMetadata } from './metadata.js';
import { parseJsonObject, validateEvent, validatePreferences } from './validate.js';

/** `POST /v1/events/custom`: appended as received (duplicates included), 201. */
export const createEvent: Handler = (ctx) => {
  const event = validateEvent(parseJsonObject(ctx.body), ctx.state.config.acceptStringTypes);
  ctx.state.store.events.push(event);
  ctx.state.stats.created.events++;
  return { status: 201, body: event };
};

/** `PUT /v1/user/preferences/{identifyId}`: 204, or 404 unless the user exists. */
export const putPreferences: Handler = (ctx) => {
  const id = ctx.id!;
  const values = validatePreferences(parseJsonObject(ctx.body), ctx.state.config.acceptStringTypes);
  if (!ctx.state.store.users.get(id)) return notFound('User', id);
  ctx.state.store.setPreferences(id, values);
  return { status: 204 };
};

export const userAttributes: Handler = (ctx) => ({
  status: 200,
  body: attributeMetadata('user', ctx.state.config.customAttributes.user),
});

export const accountAttributes: Handler = (ctx) => ({
  status: 200,
  body: attributeMetadata('account', ctx.state.config.customAttributes.account),
});
