import type { Logger } from 'pino';
import type { SettingValue } from '../projectroles/app-setting-definitions';
import type { User as SiteUser } from '../projectroles/entities';
import type { Session } from '../projectroles/sessions';

/** What the site keeps in a session (projectroles/sessions.ts stores any JSON). */
export interface SessionFields {
  /** passport's login: the user's sodar_uuid. */
  passport?: { user?: string };
  /** Messages shown once on the next page (Django's messages framework). */
  messages?: Array<{ level: 'success' | 'info' | 'warning' | 'danger'; text: string }>;
}

declare global {
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- passport's req.user gets our user type
    interface User extends SiteUser {}
    interface Request {
      id: string;
      log: Logger;
      session: Session & SessionFields;
      /** The user's USER settings, read at most once per request (projectroles/user-settings.ts). */
      userSettings?: Promise<Readonly<Record<string, SettingValue>>>;
    }
  }
}
