/** timeline tables (reference §1.14), with the columns that group repeated events. */
import { EntitySchema } from 'typeorm';

export const STATUS_DESCRIPTIONS = {
  OK: 'All OK',
  INIT: 'Event initialized',
  SUBMIT: 'Job submitted asynchronously',
  FAILED: 'Failed (unknown problem)',
  INFO: 'Info level action',
  CANCEL: 'Action cancelled',
} as const;

export type StatusType = keyof typeof STATUS_DESCRIPTIONS;

/** Bootstrap classes of the status badges (SODAR's timeline_tags). */
export const STATUS_CLASSES: Record<StatusType, string> = {
  OK: 'bg-success',
  INIT: 'bg-secondary',
  SUBMIT: 'bg-warning',
  FAILED: 'bg-danger',
  INFO: 'bg-info',
  CANCEL: 'bg-dark',
};

export type ExtraData = Record<string, unknown>;

export interface TimelineEvent {
  id: number;
  sodar_uuid: string;
  project_id: number | null;
  app: string;
  plugin: string | null;
  user_id: number | null;
  event_name: string;
  description: string;
  extra_data: ExtraData;
  classified: boolean;
  timestamp: Date;
  /** Identical events within the repeat window share this key; null: never grouped. */
  repeat_key: string | null;
  /** The first event of the group this one repeats, or null for a group's first. */
  repeat_of_id: number | null;
  /** On a group's first event: how many events the group holds. */
  repeat_count: number;
  /** On a group's first event: its latest repeat (null while there is none). */
  latest_id: number | null;
  /** List order, newest first; a repeat moves its group to the top. */
  sort_key: number;
}

export interface TimelineEventObjectRef {
  id: number;
  sodar_uuid: string;
  event_id: number;
  label: string;
  name: string;
  object_model: string;
  object_uuid: string | null;
  extra_data: ExtraData;
}

export interface TimelineEventStatus {
  id: number;
  sodar_uuid: string;
  event_id: number;
  timestamp: Date;
  status_type: StatusType;
  description: string;
  extra_data: ExtraData;
}

const id = { type: 'integer', primary: true, generated: 'increment' } as const;
const uuid = { type: 'uuid', unique: true } as const;
const json = { type: 'jsonb', default: {} } as const;

export const TimelineEventEntity = new EntitySchema<TimelineEvent>({
  name: 'TimelineEvent',
  tableName: 'timeline_event',
  columns: {
    id,
    sodar_uuid: uuid,
    project_id: { type: 'integer', nullable: true },
    app: { type: 'varchar', length: 255 },
    plugin: { type: 'varchar', length: 255, nullable: true },
    user_id: { type: 'integer', nullable: true },
    event_name: { type: 'varchar', length: 255 },
    description: { type: 'text' },
    extra_data: json,
    classified: { type: 'boolean', default: false },
    timestamp: { type: 'timestamptz' },
    repeat_key: { type: 'varchar', length: 64, nullable: true },
    repeat_of_id: { type: 'integer', nullable: true },
    repeat_count: { type: 'integer', default: 1 },
    latest_id: { type: 'integer', nullable: true },
    sort_key: { type: 'bigint' },
  },
});

export const TimelineEventObjectRefEntity = new EntitySchema<TimelineEventObjectRef>({
  name: 'TimelineEventObjectRef',
  tableName: 'timeline_eventobjectref',
  columns: {
    id,
    sodar_uuid: uuid,
    event_id: { type: 'integer' },
    label: { type: 'varchar', length: 255 },
    name: { type: 'varchar', length: 255 },
    object_model: { type: 'varchar', length: 255 },
    object_uuid: { type: 'uuid', nullable: true },
    extra_data: json,
  },
});

export const TimelineEventStatusEntity = new EntitySchema<TimelineEventStatus>({
  name: 'TimelineEventStatus',
  tableName: 'timeline_eventstatus',
  columns: {
    id,
    sodar_uuid: uuid,
    event_id: { type: 'integer' },
    timestamp: { type: 'timestamptz' },
    status_type: { type: 'varchar', length: 64 },
    description: { type: 'text' },
    extra_data: json,
  },
});
