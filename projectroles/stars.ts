/** Starring projects (SODAR keeps it as an app setting; here a table of its own). */
import type { DataSource } from 'typeorm';

/** Flips the star; returns whether the project is starred now. */
export async function toggleStar(dataSource: DataSource, userId: number, projectId: number): Promise<boolean> {
  const [removed]: [unknown[], number] = await dataSource.query(
    'DELETE FROM projectroles_project_star WHERE user_id = $1 AND project_id = $2 RETURNING project_id',
    [userId, projectId],
  );
  if (removed.length > 0) return false;
  await dataSource.query('INSERT INTO projectroles_project_star (user_id, project_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [userId, projectId]);
  return true;
}

export async function isStarred(dataSource: DataSource, userId: number, projectId: number): Promise<boolean> {
  const rows: unknown[] = await dataSource.query('SELECT 1 FROM projectroles_project_star WHERE user_id = $1 AND project_id = $2', [userId, projectId]);
  return rows.length > 0;
}
