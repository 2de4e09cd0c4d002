/**
 * The peer down for a while, as PX is in a maintenance window or an incident (px-api.md says
 * nothing of outages; a gateway in front of PX may answer with an HTML page: "Error bodies
 * are not always JSON"). Planned: down once after `afterRequests` requests reached the
 * server, for `forSec` seconds (or until brought back); or by hand from the control plane.
 * While down a request is answered 503 with a load balancer's HTML page, or its connection is
 * reset, before anything else (the key is not even looked at).
 */

export type OutageKind = '503' | 'reset';

export interface OutagePlan {
  afterRequests?: number;
  forSec?: number;
  kind?: OutageKind;
}

export const DOWN_PAGE =
  '<html><head><title>503 Service Temporarily Unavailable</title></head>' +
  '<body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>\n';

export class PeerOutage {
  private arrivals = 0;
  private plan: OutagePlan | undefined;
  private down: { kind: OutageKind; until: number } | undefined;
  /** Requests answered by the outage. */
  refused = 0;
  outages = 0;

  constructor(
    plan: OutagePlan | undefined,
    private readonly now: () => number,
  ) {
    this.plan = plan;
  }

  begin(kind: OutageKind = '503', forSec?: number): void {
    this.down = { kind, until: forSec === undefined ? Number.POSITIVE_INFINITY : this.now() + forSec * 1000 };
    this.outages++;
  }

  end(): void {
    this.down = undefined;
    this.plan = undefined;
  }

  isDown(): boolean {
    if (this.down && this.now() >= this.down.until) this.down = undefined;
    return this.down !== undefined;
  }

  /** A request arrived: how it is refused, or undefined when the peer is up. */
  arrive(): OutageKind | undefined {
    this.arrivals++;
    if (this.plan && !this.isDown() && this.arrivals > (this.plan.afterRequests ?? 0)) {
      const { kind, forSec } = this.plan;
      this.plan = undefined;
      this.begin(kind, forSec);
    }
    if (!this.isDown()) return undefined;
    this.refused++;
    return this.down!.kind;
  }
}
