/** One USER row through a sink against a scripted PX: the answers given in order, the requests seen. */
import assert from 'node:assert/strict';
import { createPxSink, type PxSinkOptions } from '../../src/index.js';
import { SECRET_KEY } from './emulator.js';
import { everyRowEndedOnce, load, PRODUCT_KEY, userRow } from './rows.js';
import { pxError, type Reply, scripted } from './scripted.js';

export const DUPLICATE: Reply = {
  status: 400,
  body: pxError('BAD_REQUEST', 'Possible duplicate: User already exists for parameters {identifyId=u}', [
    { message: 'Possible duplicate: User already exists for parameters {identifyId=u}' },
  ]),
};

export const NOT_FOUND: Reply = {
  status: 404,
  body: pxError('NOT_FOUND', 'User was not found for parameters {id=u}'),
};

/** The row `oneRow` sends: user `u` with this email. */
export const ROW_EMAIL = 'u@example.com';

/** A GET answer: the user `u` as PX holds it, by default holding the row's values (our create). */
export function userRecord(fields: Record<string, unknown> = {}): Reply {
  return {
    status: 200,
    body: {
      identifyId: 'u',
      propertyKeys: [PRODUCT_KEY],
      email: ROW_EMAIL,
      aptrinsicId: 'px-1',
      createDate: 1,
      ...fields,
    },
  };
}

/** Runs the insert-missing row `u` against PX answering `answers` in order (then 500s). */
export async function oneRow(answers: Reply[], options: Partial<PxSinkOptions> = {}) {
  const px = await scripted((_request, index) => answers[index] ?? { status: 500, body: 'script ran out' });
  try {
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      insertMissing: true,
      rate: 100,
      backoffBaseMs: 5,
      ...options,
    });
    const result = await load(sink, [userRow(0, 'u', { email: ROW_EMAIL })]);
    assert.equal(everyRowEndedOnce(result, 1), undefined);
    return {
      outcome: result.outcomes[0],
      rejection: result.rejections[0],
      requests: px.seen.map((r) => `${r.method} ${r.url}`),
      seen: px.seen,
      sink,
    };
  } finally {
    await px.close();
  }
}
