/** projectroles UI pages. */
import type { NextFunction, Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import { renderPage } from '../app/pages';
import { countUsers } from './users';

export function homePage(dataSource: DataSource) {
  return (req: Request, res: Response, next: NextFunction): void => {
    countUsers(dataSource).then(
      (userCount) => renderPage(req, res, 'projectroles/home', { title: 'Home', account: req.user, userCount }),
      next,
    );
  };
}
