/** `pxstream-emulator --help`. */
export const EMULATOR_HELP = `Usage: pxstream-emulator [options]

A Gainsight PX REST API emulator on loopback, for tests, benchmarks and safe trials.

Server:
  --port <n>                      port (default 0: any free port)
  --host <addr>                   loopback address: 127.0.0.1 (default), ::1 or localhost
  --api-key <key>                 accepted X-APTRINSIC-API-KEY (repeatable; default emulator-key)
  --config <file>                 a pxstream config.json: declares the custom attributes its
                                  fieldMapping maps (typed from attributeTypes, default STRING);
                                  its apiKey, if any, is accepted too (and never printed)
Limits (PX's by default):
  --rate <n>                      requests per second per key (default 200)
  --limiter <shape>               bucket (default): a token bucket; sliding: at most --rate
                                  requests in any 1000 ms; fixed: at most --rate requests per
                                  calendar second (sliding and fixed need a whole --rate)
  --burst <n>                     token bucket size (default: --rate; bucket only)
  --no-rate-limit                 no per-second limit
  --daily-quota <n>               requests per key per UTC day (default 1000000)
  --no-daily-quota                no daily quota
  --daily-quota-body <kind>       the 429 of a spent quota: plain (default): PX's "Rate limit
                                  exceeded", Retry-After 1, as the per-second limit; quota:
                                  "Daily quota exceeded", Retry-After until the day ends
  --day-length <s>                compressed quota days of s seconds, the first starting when
                                  the emulator starts (default: UTC calendar days)
  --no-retry-after                send no Retry-After header on 429
  --other-client <n>              another client of the first key, n requests/s evenly spaced,
                                  sharing its per-second budget (not the daily quota)
Permissions and outages:
  --forbid <read|write>           the key lacks Read (GET: records, lists, metadata) or Write
                                  (POST, PUT, DELETE) permission: those answer 403
  --outage-after <n>              PX goes down after n API requests (default 0: at once)...
  --outage-for <s>                ...for s seconds (default: until DELETE /__emulator/outage)
  --outage-kind <503|reset>       while down, answer 503 (default) or reset every connection;
                                  POST /__emulator/outage takes PX down at any time
Latency and faults (off by default; probabilities in [0, 1], adding up to at most 1):
  --latency <ms>                  fixed delay before each answer
  --jitter <ms>                   extra uniform random delay in [0, ms)
  --seed <n>                      seed of the fault and jitter generators (default 1)
  --fault-server-error <p>        answer 500, 502 (HTML) or 503 without processing
  --fault-reset-before <p>        drop the connection before processing
  --fault-reset-after <p>         apply the write, then drop the connection unanswered
  --fault-hang <p>                never answer (nothing applied)
  --fault-trickle <p>             answer correctly, a few bytes at a time
  --trickle-delay <ms>            delay between trickled chunks (default 50)
  --trickle-bytes <n>             bytes per trickled chunk (default 16)
  --throttle <p>                  answer 429 "Rate limit exceeded" at random (nothing applied,
                                  no rate-limit budget used)
  --throttle-retry-after <s>      Retry-After of a throttle's 429, whole seconds (default 1)
  --fault-gateway-403 <p>         answer 403 with a gateway's HTML page (nothing applied)
  --fault-gateway-504 <p>         answer 504 with a gateway's HTML page (nothing applied)
  --fault-methods <list>          faults only for these methods, e.g. POST,PUT
  --no-route-html                 answer paths that match no API route with a 404 HTML page
                                  (a gateway's) instead of PX's JSON
Model:
  --custom-attribute <spec>       [user.|account.]apiName:TYPE[:STATE] (repeatable), e.g.
                                  user.plan:STRING, account.tier:NUMBER:DISABLED (no prefix: user);
                                  adds to or overrides those of --config
  --accept-string-types           accept "42.0" and "true" for numbers and booleans (as PX does)
Lists and deletes:
  --scroll-ttl <s>                a list's scroll expires s seconds after its last page was read
                                  (default 60; then 400)
  --revive-window <s>             a soft-deleted user created again within s seconds comes back
                                  with its history (default 604800: 7 days)
Other:
  -h, --help                      show this help
`;
