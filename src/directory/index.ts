/** The caller directory: who is calling, without a WellSky request. */
export { createDirectory, toE164, type DirectoryDeps } from './directory';
export { createWellSkyWebhookRouter, REFRESH_JOB, type EnqueueJob, type WellSkyWebhookOptions, type WellSkyWebhookRouter } from './webhook';
export { registerSubscriptions, DIRECTORY_SUBSCRIPTION_CRITERIA, type SubscriptionOutcome } from './subscriptions';
export { directoryJobHandlers, SYNC_JOB } from './jobs';
export type {
  CallerIdentity,
  CallerKind,
  Directory,
  DirectoryPerson,
  IdentifyResult,
  RefreshableResource,
  SyncCounts,
  SyncRun,
} from './types';
