export { createJobQueue, insertJobsSql, DEFAULT_MAX_ATTEMPTS, type JobQueue, type EnqueueOptions } from './queue';
export { createJobRunner, exponentialBackoff, type JobRunner, type JobRunnerOptions } from './runner';
export { RetryLater, PermanentJobError, remoteWriteDelay, REMOTE_WRITE_ATTEMPTS, type Job, type JobStatus, type JobContext, type JobHandler, type JobHandlers } from './types';
export { recurringHandler, startRecurring, queueSlot, slotOf, slotKey, type RecurringJob } from './recurring';
export { createDeadLetterAlerts, roleForKind, groupForKind, DEAD_LETTER_ALERT_JOB, DEAD_LETTER_ALERT_PURPOSE } from './dead-letters';
