/**
 * TimelineAPI (reference §3.2), what `getBackendApi('timeline')` returns: records events on
 * projects (or site-wide) and objects, with statuses, and renders their descriptions.
 * Each write is one SQL statement, so it is atomic on its own, and it can run inside a
 * caller's transaction (`manager`) to commit or roll back with the caller's change.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { v4 as uuidv4 } from 'uuid';
import { Coalescer } from '../app/coalescer';
import { BadInputError } from '../app/errors';
import { checkColumnLengths } from '../app/input-limits';
import type { User } from '../projectroles/entities';
import type { PluginRegistry } from '../projectroles/registry';
import type { RuleSet } from '../projectroles/rules';
import { describeEvents } from './description';
import { insertEvents, TIMELINE_CHANNEL } from './event-insert';
import { STATUS_DESCRIPTIONS, TimelineEventEntity, TimelineEventObjectRefEntity, type ExtraData, type StatusType, type TimelineEvent } from './entities';
import { eventsOfObject, eventsOfProject, type EventListOptions, type EventRow } from './queries';

export { TIMELINE_CHANNEL };

/** What an object reference points at: a model name (SODAR's class name) and its sodar_uuid. */
export interface ObjectRef {
  model: string;
  uuid: string | null;
}

export const userRef = (user: Pick<User, 'sodar_uuid'>): ObjectRef => ({ model: 'User', uuid: user.sodar_uuid });
export const projectRef = (project: { sodar_uuid: string }): ObjectRef => ({ model: 'Project', uuid: project.sodar_uuid });

export interface EventObject {
  /** The name used in the description, as `{label}`. */
  label: string;
  ref: ObjectRef;
  /** Shown when the object is gone (and for models without links). */
  name: string;
  extraData?: ExtraData;
}

export interface AddEventInput {
  /** The project, or null for a site-wide event. */
  project: { id: number; sodar_uuid: string } | null;
  /** The app recording it: projectroles or a registered plugin's name. */
  app: string;
  /** Who did it; null (or anonymous) is stored as no user. */
  user: Pick<User, 'id'> | null;
  eventName: string;
  /** Text with `{label}` references to the event's objects. */
  description: string;
  classified?: boolean;
  extraData?: ExtraData;
  /** Without one the event stays INIT until `setStatus`. */
  statusType?: StatusType;
  statusDesc?: string;
  statusExtraData?: ExtraData;
  /** Plugin rendering the description's links, when not the app itself. */
  plugin?: string;
  /** Objects known up front; they also tell repeated events apart (see repeatKey). */
  objects?: EventObject[];
  /** The caller's transaction: the event commits or rolls back with it. */
  manager?: EntityManager;
}

type Queryable = Pick<DataSource | EntityManager, 'query'>;

function isStatusType(value: unknown): value is StatusType {
  return typeof value === 'string' && Object.hasOwn(STATUS_DESCRIPTIONS, value);
}

/** The status type `value` names; a 400 naming the valid ones otherwise. */
export function statusTypeOf(value: unknown, field = 'status_type'): StatusType {
  if (isStatusType(value)) return value;
  throw new BadInputError(`${field}: "${String(value)}" is not one of ${Object.keys(STATUS_DESCRIPTIONS).join(', ')}`);
}

/** A recorded event, as SODAR's TimelineEvent model: add objects, set statuses. */
export class TimelineEventHandle {
  constructor(
    readonly event: TimelineEvent,
    private readonly projectUuid: string | null,
    private readonly db: Queryable,
  ) {}

  /** Adds an object reference (SODAR's `event.add_object(obj, label, name)`). */
  async addObject(ref: ObjectRef, label: string, name: string, extraData: ExtraData = {}): Promise<void> {
    await this.db.query(
      `INSERT INTO timeline_eventobjectref (sodar_uuid, event_id, label, name, object_model, object_uuid, extra_data)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [uuidv4(), this.event.id, label, name.trim() || '(unnamed)', ref.model, ref.uuid, extraData],
    );
  }

  /** Adds a status change, which becomes the current status; an unknown type is refused. */
  async setStatus(statusType: StatusType, description?: string, extraData: ExtraData = {}): Promise<void> {
    statusTypeOf(statusType);
    await this.db.query(
      `WITH s AS (
         INSERT INTO timeline_eventstatus (sodar_uuid, event_id, status_type, description, extra_data)
         VALUES ($1, $2, $3, $4, $5) RETURNING id)
       SELECT pg_notify('${TIMELINE_CHANNEL}', $6) FROM s`,
      [uuidv4(), this.event.id, statusType, description ?? STATUS_DESCRIPTIONS[statusType], extraData, JSON.stringify({ project: this.projectUuid, event: this.event.sodar_uuid })],
    );
  }
}

export interface TimelineDeps {
  dataSource: DataSource;
  registry: PluginRegistry;
  rules: RuleSet;
  /** Identical events within this many seconds of a group's first are shown as one row. */
  repeatWindowSeconds: number;
}

export class TimelineAPI {
  /** Events recorded outside a caller's transaction, written together when they come at once. */
  private readonly pending = new Coalescer<AddEventInput, TimelineEvent>((inputs) => insertEvents(this.deps.dataSource, inputs, this.deps.repeatWindowSeconds));

  constructor(private readonly deps: TimelineDeps) {}

  /** Apps that may record events: projectroles and every registered plugin. */
  appNames(): string[] {
    return ['projectroles', ...new Set(this.deps.registry.all().map((entry) => entry.plugin.name))];
  }

  /**
   * Records an event (SODAR's `add_event`): an unknown app or status type saves nothing.
   * The INIT status comes first unless the given status is INIT or INFO (§3.2). Without a
   * `manager` it commits before this resolves (together with events recorded at the same time).
   */
  async addEvent(input: AddEventInput): Promise<TimelineEventHandle> {
    if (input.manager) return (await this.addEvents([input], input.manager))[0]!;
    this.check(input);
    return new TimelineEventHandle(await this.pending.add(input), input.project?.sodar_uuid ?? null, this.deps.dataSource);
  }

  /** Records several events in one statement, all or none (in `manager`'s transaction when given). */
  async addEvents(inputs: AddEventInput[], manager?: EntityManager): Promise<TimelineEventHandle[]> {
    inputs.forEach((input) => this.check(input));
    const db = manager ?? this.deps.dataSource;
    const events = await insertEvents(db, inputs, this.deps.repeatWindowSeconds);
    return events.map((event, i) => new TimelineEventHandle(event, inputs[i]!.project?.sodar_uuid ?? null, db));
  }

  /** A 400 naming what is wrong with an event before anything is written. */
  private check(input: AddEventInput): void {
    if (!this.appNames().includes(input.app)) throw new BadInputError(`app: "${input.app}" is not an installed app`);
    if (input.statusType !== undefined) statusTypeOf(input.statusType);
    if (!input.eventName.trim()) throw new BadInputError('event_name: must not be empty');
    checkColumnLengths(TimelineEventEntity, { app: input.app, plugin: input.plugin, event_name: input.eventName });
    for (const [i, object] of (input.objects ?? []).entries()) {
      checkColumnLengths(TimelineEventObjectRefEntity, { label: object.label, name: object.name, object_model: object.ref.model }, (name) => `objects[${i}].${name}`);
    }
  }

  /** A handle on a stored event, to add statuses to it later (e.g. when a job finishes). */
  async getEvent(uuid: string): Promise<TimelineEventHandle | null> {
    const [row]: Array<TimelineEvent & { project_uuid: string | null }> = await this.deps.dataSource.query(
      'SELECT e.*, p.sodar_uuid AS project_uuid FROM timeline_event e LEFT JOIN projectroles_project p ON p.id = e.project_id WHERE e.sodar_uuid = $1',
      [uuid],
    );
    return row ? new TimelineEventHandle(row, row.project_uuid, this.deps.dataSource) : null;
  }

  /** Events of a project, newest first, repeats grouped; classified ones only when asked. */
  getProjectEvents(project: { id: number }, options: EventListOptions = {}): Promise<EventRow[]> {
    return eventsOfProject(this.deps.dataSource, project.id, options);
  }

  /** Events referring to an object, newest first (in a project, or site-wide when null). */
  getObjectEvents(project: { id: number } | null, ref: ObjectRef, options: EventListOptions = {}): Promise<EventRow[]> {
    return eventsOfObject(this.deps.dataSource, project?.id ?? null, ref, options);
  }

  /** The description as HTML for `user`: `{label}`s become links, all text is escaped. */
  async getEventDescription(event: Pick<TimelineEvent, 'id' | 'app' | 'plugin' | 'description' | 'project_id'> & { project_uuid?: string | null }, user: User | null): Promise<string> {
    // An event as stored (e.g. from addEvent) lacks the project UUID its history links need.
    const projectUuid = event.project_uuid !== undefined ? event.project_uuid : await this.projectUuidOf(event.project_id);
    const rendered = await describeEvents(this.deps, [{ ...event, project_uuid: projectUuid }], user);
    return rendered.get(event.id)!;
  }

  private async projectUuidOf(projectId: number | null): Promise<string | null> {
    if (projectId === null) return null;
    const [row]: Array<{ sodar_uuid: string }> = await this.deps.dataSource.query('SELECT sodar_uuid FROM projectroles_project WHERE id = $1', [projectId]);
    return row?.sodar_uuid ?? null;
  }

  /** URL of an object's history: `/timeline/<project>/<Model>/<uuid>` or `/timeline/site/<Model>/<uuid>`. */
  getObjectUrl(ref: ObjectRef, project: { sodar_uuid: string } | null = null): string {
    return objectUrl(ref, project?.sodar_uuid ?? null);
  }

  /** A clock icon linking to the object's history. */
  getObjectLink(ref: ObjectRef, project: { sodar_uuid: string } | null = null): string {
    return objectLink(ref, project?.sodar_uuid ?? null);
  }
}

export function objectUrl(ref: ObjectRef, projectUuid: string | null): string {
  return `/timeline/${projectUuid ?? 'site'}/${encodeURIComponent(ref.model)}/${ref.uuid ?? ''}`;
}

export function objectLink(ref: ObjectRef, projectUuid: string | null): string {
  return `<a class="sodar-tl-object-link" href="${objectUrl(ref, projectUuid)}" title="Object history"><i class="fa fa-clock-o"></i></a>`;
}
