/**
 * Hands each request to the handler registered for the first segment of its path
 * (`/project/...` → "project", `/` → ""): one Map lookup instead of trying every router's
 * layers in turn, which was the largest cost of a cached Ajax call. Handlers see the full
 * path (nothing is stripped), so their routes are written as mounted.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export class SegmentRouter {
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly owners = new Map<string, string>();

  /** Claims `/<segment>/` for `owner`'s handler; two owners of one segment are a start-up error. */
  add(segment: string, owner: string, handler: RequestHandler): void {
    const taken = this.owners.get(segment);
    if (taken) throw new Error(`URL path /${segment}/ is claimed by both ${taken} and ${owner}`);
    this.owners.set(segment, owner);
    this.handlers.set(segment, handler);
  }

  /** The handler of each segment, for listing the site's routes. */
  segments(): ReadonlyMap<string, RequestHandler> {
    return this.handlers;
  }

  readonly handle = (req: Request, res: Response, next: NextFunction): void => {
    const path = req.path;
    const slash = path.indexOf('/', 1);
    const handler = this.handlers.get(slash < 0 ? path.slice(1) : path.slice(1, slash));
    if (handler) handler(req, res, next);
    else next();
  };
}
