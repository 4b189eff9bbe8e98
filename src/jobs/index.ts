export { createJobQueue, DEFAULT_MAX_ATTEMPTS, type JobQueue, type EnqueueOptions } from './queue';
export { createJobRunner, exponentialBackoff, type JobRunner, type JobRunnerOptions } from './runner';
export { RetryLater, PermanentJobError, type Job, type JobStatus, type JobContext, type JobHandler, type JobHandlers } from './types';
