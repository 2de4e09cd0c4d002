/**
 * Users and accounts: create (reviving a soft-deleted user), update (by path id or by body
 * id), get, delete (by path id, or for users by body id: `DELETE /v1/users/delete`), list.
 * Record dates and delete times come from the state's wall clock (injectable in tests).
 */
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
  removeByBody: Handler;
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
    if (!storeOf(ctx).update(id, value, ctx.state.wallNow())) return notFound(model.label, id);
    return { status: 204 };
  };

  /** Deletes `id`: users soft or hard, accounts with their users. */
  const remove = (ctx: RequestContext, id: string) => {
    const hard = hardDeleteOf(ctx.query);
    const { stats, store } = ctx.state;
    const now = ctx.state.wallNow();
    if (isUser) {
      if (!store.users.delete(id, hard, now)) return notFound(model.label, id);
      stats.deleted.users++;
      if (hard) stats.deleted.hardUsers++;
    } else {
      const cascaded = store.deleteAccount(id, hard, now);
      if (cascaded === undefined) return notFound(model.label, id);
      stats.deleted.accounts++;
      stats.deleted.users += cascaded;
      stats.deleted.cascadedUsers += cascaded;
      if (hard) stats.deleted.hardUsers += cascaded;
    }
    return { status: 204 };
  };

  return {
    create(ctx) {
      const value = parse(ctx, 'create');
      const created = storeOf(ctx).create(value, ctx.state.wallNow());
      const id = value[model.key] as string;
      if (!created) {
        const message = `Possible duplicate: ${model.label} already exists for parameters {${model.key}=${id}}`;
        return badRequest(message);
      }
      ctx.state.stats.created[isUser ? 'users' : 'accounts']++;
      if (created.revived) ctx.state.stats.revived.users++;
      return { status: 201, body: created.record };
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
      return remove(ctx, ctx.id!);
    },
    removeByBody(ctx) {
      const body = parseJsonObject(ctx.body);
      const id = body[model.key];
      const invalid = (field: string, message: string) =>
        badRequest(`Invalid delete request: ${field}: ${message}`, [{ field, message }]);
      if (typeof id !== 'string' || id === '') return invalid(model.key, 'is required');
      const extra = Object.keys(body).find((field) => field !== model.key);
      if (extra !== undefined) return invalid(extra, `unknown field (send only ${model.key})`);
      return remove(ctx, id);
    },
    list(ctx) {
      return ctx.state.lister.list(storeOf(ctx), isUser ? 'users' : 'accounts', ctx.query);
    },
  };
}

export const userHandlers = recordHandlers(USER_MODEL);
export const accountHandlers = recordHandlers(ACCOUNT_MODEL);
