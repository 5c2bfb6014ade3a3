// The words for a scenario that was to run and did not (its environment did not start, a pin was not provisioned,
// the run threw): not a verdict, not a skip. The CLI, report.json, report.html, junit.xml and the job summary all
// say it this way.
export const COULD_NOT_RUN = 'could not run';

/** A could-not-run scenario's reason, starting with the state's words (older reports' reasons may lack them). */
export function couldNotRunReason(reason: string): string {
  return reason.startsWith(COULD_NOT_RUN) ? reason : `${COULD_NOT_RUN}: ${reason}`;
}
