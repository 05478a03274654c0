import 'express-session';
import type { Logger } from 'pino';
import type { User as SiteUser } from '../projectroles/entities';

declare module 'express-session' {
  interface SessionData {
    /** Messages shown once on the next page (Django's messages framework). */
    messages?: Array<{ level: 'success' | 'info' | 'warning' | 'danger'; text: string }>;
  }
}

declare global {
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- passport's req.user gets our user type
    interface User extends SiteUser {}
    interface Request {
      id: string;
      log: Logger;
    }
  }
}
