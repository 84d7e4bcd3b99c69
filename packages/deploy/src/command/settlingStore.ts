import type { Journal, StateStore } from '@tempered/core';

/**
 * Wraps the run's state store so that a failure the deploy fully handled (release marked failed,
 * `current` rolled back) closes the journal instead of leaving it for a resume: there is nothing
 * to resume, and the next run must start a fresh attempt rather than log "resuming".
 *
 * core's applyPlan treats every failed action as resumable; see
 * .notes/deploy-core-requests.md ("a settled failure") for the core feature this stands in for.
 */
export function settlingStore(store: StateStore, isSettled: () => boolean): StateStore {
  return {
    recordRun: (record) => store.recordRun(record),
    listRuns: (options) => store.listRuns(options),
    openJournal: async (key) => settlingJournal(await store.openJournal(key), isSettled),
    get idempotency() {
      return store.idempotency;
    },
    acquireLock: (name, options) => store.acquireLock(name, options),
    inspectLock: (name) => store.inspectLock(name),
    breakLock: (name) => store.breakLock(name),
  };
}

function settlingJournal(journal: Journal, isSettled: () => boolean): Journal {
  return {
    get key() {
      return journal.key;
    },
    get resumed() {
      return journal.resumed;
    },
    isCompleted: (stepId) => journal.isCompleted(stepId),
    completedSteps: () => journal.completedSteps(),
    unfinishedSteps: () => journal.unfinishedSteps(),
    begin: (stepId, details) => journal.begin(stepId, details),
    complete: (stepId, result) => journal.complete(stepId, result),
    fail: async (stepId, message) => {
      await journal.fail(stepId, message);
      // archived with the failure in it: the audit trail keeps what happened
      if (isSettled()) await journal.finish();
    },
    result: <T>(stepId: string) => journal.result<T>(stepId),
    finish: () => journal.finish(),
  };
}
