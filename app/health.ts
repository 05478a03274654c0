/** Liveness and readiness probes for load balancers and orchestrators. */
import express from 'express';
import { readinessProblem, type Database } from './database';

/** Whether this process takes new work: not from the moment it begins to stop (SIGTERM). */
export class Readiness {
  stopping = false;
}

export function healthRoutes(db: Database, readiness: Readiness): express.Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res, next) => {
    // At once, without the database: a load balancer should send no more while requests in flight finish.
    if (readiness.stopping) return void res.status(503).json({ status: 'stopping', detail: 'the site is shutting down' });
    readinessProblem(db).then((problem) => {
      if (problem) res.status(503).json({ status: 'unavailable', detail: problem });
      else res.json({ status: 'ok', database: db.kind });
    }, next);
  });
  return router;
}
