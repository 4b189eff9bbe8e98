/**
 * Durable-job handlers for the directory. A handler that throws is retried by the job runner,
 * so WellSky being down only delays a refresh.
 */
import { PermanentJobError } from '../jobs/types';
import type { Directory, RefreshableResource } from './types';
import { REFRESH_JOB } from './webhook';

export const SYNC_JOB = 'directory.sync';

const REFRESHABLE = new Set<string>(['Practitioner', 'Patient', 'RelatedPerson'] satisfies RefreshableResource[]);

export function directoryJobHandlers(directory: Directory): Record<string, (payload: any) => Promise<void>> {
  return {
    [SYNC_JOB]: async () => {
      await directory.fullSync();
    },
    [REFRESH_JOB]: async (payload: { resourceType?: unknown; id?: unknown }) => {
      const resourceType = String(payload?.resourceType ?? '');
      const id = payload?.id == null ? '' : String(payload.id).trim();
      if (!REFRESHABLE.has(resourceType) || !id) {
        throw new PermanentJobError(
          `${REFRESH_JOB}: payload must be {"resourceType":"Practitioner"|"Patient"|"RelatedPerson","id":"…"}, got ${JSON.stringify(payload)}`,
        );
      }
      await directory.refreshPerson(resourceType as RefreshableResource, id);
    },
  };
}
