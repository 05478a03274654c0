/** Objects are addressed by sodar_uuid; a path segment that is not a UUID names nothing: 404. */
import type { NextFunction, Request, Response } from 'express';
import { validate as isUuid } from 'uuid';
import { NotFoundError } from './errors';

export function requireUuidParam(_req: Request, _res: Response, next: NextFunction, value: string, name: string): void {
  next(isUuid(value) ? undefined : new NotFoundError(`Not found: ${name} "${value}" is not a valid UUID`));
}
