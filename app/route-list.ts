/**
 * Every route the site serves, read from its routers: the fuzz test walks this list, so a
 * new page or endpoint is covered the day it is mounted, without a hand-kept list.
 */
import type { RequestHandler } from 'express';

export interface RouteInfo {
  method: string;
  /** As mounted, with parameters: `/project/members/update/:roleassignment`. */
  path: string;
}

/** The parts of Express's router layers this reads (router 2.x keeps them, undocumented). */
interface LayerLike {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle: { stack?: LayerLike[] };
}

function mountPrefix(rawPath: unknown): string {
  return typeof rawPath === 'string' && rawPath !== '/' ? rawPath : '';
}

/** The routes of an Express router (or app router), mounted sub-routers included. */
export function routesOf(handler: RequestHandler | { stack?: unknown }, prefix = ''): RouteInfo[] {
  const stack = (handler as { stack?: LayerLike[] }).stack ?? [];
  return stack.flatMap((layer): RouteInfo[] => {
    const route = layer.route;
    if (route && typeof route.path === 'string') {
      return Object.keys(route.methods).filter((m) => m !== '_all').map((method) => ({ method: method.toUpperCase(), path: `${prefix}${route.path as string}` }));
    }
    return layer.handle.stack ? routesOf(layer.handle, `${prefix}${mountPrefix(layer.rawPath)}`) : [];
  });
}
