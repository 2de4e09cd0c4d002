/**
 * The retry quota shared by every request of a client: botocore's standard retry mode
 * (`botocore/retries/standard.py`, `quota.py`; the same figures in every AWS SDK's
 * `RetryQuota`): a bucket of 500 tokens; a retry takes 5 (10 after a timeout, which held a
 * connection for the whole timeout); a success gives back what its request took, or 1 when it
 * was a first attempt; never above 500.
 *
 * With PX up, successes keep the bucket full: 25% of requests failing at random costs
 * 0.25 × 5 per request and the successes give back more. With PX failing everything nothing
 * comes back, and the bucket is spent after 100 retries: at the default 150/s that is under a
 * second of a failing PX, which is how the sink tells an outage from bad luck quickly (see
 * availability.ts), instead of sending 150 requests a second into it for 30 s.
 *
 * Only failures that may be PX being down take tokens (5xx, resets, timeouts, no connection).
 * A 429 does not: the control law already spends a budget on those (its rate and the pauses of
 * `Retry-After`), and a 429 storm from another client's share would otherwise empty the bucket
 * while PX answers every other request.
 */

/** botocore `quota.py` INITIAL_CAPACITY. */
export const RETRY_QUOTA_TOKENS = 500;
/** botocore `standard.py` RETRY_COST. */
export const RETRY_COST = 5;
/** botocore `standard.py` TIMEOUT_RETRY_COST. */
export const TIMEOUT_RETRY_COST = 10;
/** botocore `standard.py` NO_RETRY_INCREMENT: a first attempt that succeeded. */
export const NO_RETRY_INCREMENT = 1;

export class RetryQuota {
  private tokens: number;

  constructor(readonly capacity = RETRY_QUOTA_TOKENS) {
    this.tokens = capacity;
  }

  get available(): number {
    return this.tokens;
  }

  /**
   * The tokens of one retry (after a timeout: `TIMEOUT_RETRY_COST`): their number, to give back
   * when the retry succeeds, or 0 when the quota cannot pay for it (spent).
   */
  take(afterTimeout: boolean): number {
    const cost = afterTimeout ? TIMEOUT_RETRY_COST : RETRY_COST;
    if (this.tokens < cost) return 0;
    this.tokens -= cost;
    return cost;
  }

  /** A request succeeded: it gives back what it took (`cost`), a first attempt `NO_RETRY_INCREMENT`. */
  refund(cost: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + (cost > 0 ? cost : NO_RETRY_INCREMENT));
  }
}
