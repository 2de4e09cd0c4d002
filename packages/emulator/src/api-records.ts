/** Users and accounts: create, update (by path id or by body id), get, delete, list. */
import type { Handler, RequestContext } from './context.js';
import { AnswerError, badRequest, notFound } from './http-error.js';
import { ACCOUNT_MODEL, type ModelTable, USER_MODEL } from './model.js';
import type { RecordStore } from './record-store.js';
import { type JsonRecord, parseJsonObject, validateRecord } from './validate.js';

export interface RecordHandlers {
  create: Handler;
  updateById: Handler;
  updateByBody: Handler;
  get: Handler;
  remove: Handler;
  list: Handler;
}

function hardDeleteOf(query: URLSearchParams): boolean {
  const raw = query.get('hardDelete');
  if (raw === null || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new AnswerError(badRequest(`hardDelete must be true or false, got ${JSON.stringify(raw)}`));
}

export function recordHandlers(model: ModelTable): RecordHandlers {
  const isUser = model.name === 'user';
  const storeOf = (ctx: RequestContext): RecordStore =>
    isUser ? ctx.state.store.users : ctx.state.store.accounts;
  const validation = (ctx: RequestContext) => ({
    custom: ctx.state.config.custom[model.name],
    acceptStringTypes: ctx.state.config.acceptStringTypes,
  });
  const parse = (ctx: RequestContext, mode: 'create' | 'update'): JsonRecord =>
    validateRecord(model, parseJsonObject(ctx.body), mode, validation(ctx));

  const update = (ctx: RequestContext, id: string, value: JsonRecord) => {
    if (!storeOf(ctx).update(id, value, Date.now())) return notFound(model.label, id);
    return { status: 204 };
  };

  return {
    create(ctx) {
      const value = parse(ctx, 'create');
      const record = storeOf(ctx).create(value, Date.now());
      const id = value[model.key] as string;
      if (!record) {
        const message = `Possible duplicate: ${model.label} already exists for parameters {${model.key}=${id}}`;
        return badRequest(message);
      }
      ctx.state.stats.created[isUser ? 'users' : 'accounts']++;
      return { status: 201, body: record };
    },
    updateById(ctx) {
      const id = ctx.id!;
      const value = parse(ctx, 'update');
      const inBody = value[model.key];
      if (inBody !== undefined && inBody !== id) {
        const message = `${model.key}: ${JSON.stringify(inBody)} in the body does not match ${JSON.stringify(id)} in the path`;
        return badRequest(message, [{ field: model.key, message }]);
      }
      return update(ctx, id, value);
    },
    updateByBody(ctx) {
      const value = parse(ctx, 'update');
      const id = value[model.key];
      if (typeof id !== 'string' || id === '') {
        const message = `${model.key}: is required`;
        return badRequest(`Invalid ${model.label}: ${message}`, [{ field: model.key, message }]);
      }
      return update(ctx, id, value);
    },
    get(ctx) {
      const record = storeOf(ctx).get(ctx.id!);
      return record ? { status: 200, body: record } : notFound(model.label, ctx.id!);
    },
    remove(ctx) {
      const hard = hardDeleteOf(ctx.query);
      const found = isUser
        ? ctx.state.store.users.delete(ctx.id!, hard)
        : ctx.state.store.deleteAccount(ctx.id!, hard);
      return found ? { status: 204 } : notFound(model.label, ctx.id!);
    },
    list(ctx) {
      return ctx.state.lister.list(storeOf(ctx), isUser ? 'users' : 'accounts', ctx.query);
    },
  };
}

export const userHandlers = recordHandlers(USER_MODEL);
export const accountHandlers = recordHandlers(ACCOUNT_MODEL);
