/** Rendering a page inside the site layout, and one-time messages shown on the next page. */
import type { Request, Response } from 'express';
import { csrfTokenFunction } from './csrf';
import type { SessionFields } from './types';

type Message = NonNullable<SessionFields['messages']>[number];

/** Queues a message for the next page the user sees. */
export function flash(req: Request, level: Message['level'], text: string): void {
  (req.session.messages ??= []).push({ level, text });
}

function takeMessages(req: Request): Message[] {
  const messages = req.session?.messages ?? [];
  if (req.session?.messages) delete req.session.messages;
  return messages;
}

/** Renders `views/<template>.ejs`, then wraps it in `views/layout.ejs`. */
export function renderPage(
  req: Request,
  res: Response,
  template: string,
  locals: Record<string, unknown> & { title: string },
  status = 200,
  onError: (error: Error) => void = (error) => req.next?.(error),
): void {
  const user = req.user ?? null;
  res.locals.csrfToken ??= csrfTokenFunction(req, res);
  const pageContext = (req.app.locals.pageContext as ((req: Request) => Promise<Record<string, unknown>>) | undefined) ?? (async () => ({}));
  pageContext(req).then((context) => {
    res.render(template, { ...locals, user }, (error: Error | null, body: string) => {
      if (error) return onError(error);
      const page = { ...context, ...locals, body, user, messages: takeMessages(req) };
      res.render('layout', page, (layoutError: Error | null, html: string) => {
        if (layoutError) return onError(layoutError);
        res.status(status).type('html').send(html);
      });
    });
  }, onError);
}
