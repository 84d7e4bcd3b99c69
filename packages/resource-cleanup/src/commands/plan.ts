import Run from './run.js';

/** `resource-cleanup plan`: exactly `run --dry-run`. Lists and decides, deletes nothing. */
export default class Plan extends Run {
  static override summary =
    'Show what run would delete and what it keeps, with every reason; deletes nothing.';
  static override description =
    'The same listing and decisions as `run`, printed (as JSON with --json) and nothing else: no lock, no deletion, no journal.';
  static override examples = [
    '<%= config.bin %> plan -e ci',
    '<%= config.bin %> plan -e ci --rule old-build-artifacts --json',
  ];

  protected override isDryRun(): boolean {
    return true;
  }
}
