/** Statement counts on a site whose caches start empty (query-count tests). */
import { startTestSite, type TestSite } from './site';

/**
 * Runs `work` on a second site over `site`'s database, closed afterwards. Its caches
 * (sessions, users, plugin states) start empty and live `cacheSeconds`
 * (CROSS_PROCESS_DELAY_SECONDS): 0 reads them from the database on every request (cold);
 * 60 keeps what a pass of measures fills for longer than the pass takes (warm), which a site
 * running since the test began does not: an entry running out between the two requests of a
 * measure would add its read to the second.
 */
export async function onFreshSite<T>(site: TestSite, cacheSeconds: number, work: (fresh: TestSite) => Promise<T>): Promise<T> {
  const fresh = await startTestSite({ location: site.location, sharedWith: site, env: { CROSS_PROCESS_DELAY_SECONDS: String(cacheSeconds) } });
  try {
    return await work(fresh);
  } finally {
    await fresh.close();
  }
}
