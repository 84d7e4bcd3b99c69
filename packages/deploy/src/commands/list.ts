import { DeployReadCommand } from '../command/DeployReadCommand.js';
import { type ReleaseView, releaseViews, renderReleaseTable } from '../command/releaseViews.js';

export interface ListResult {
  target: string;
  current: string | null;
  releases: ReleaseView[];
}

export default class List extends DeployReadCommand<ListResult> {
  static override summary =
    'List the releases on the target, newest first: id, version, digest, status, current.';
  static override examples = [
    '<%= config.bin %> list -e staging',
    '<%= config.bin %> list -e prod --json',
    '<%= config.bin %> list --config /etc/tempered/deploy.yml -e prod --log-level warn --log-file /var/log/deploy.log',
  ];

  async run(): Promise<ListResult> {
    const [state, log] = await Promise.all([this.deployTarget.inspect(), this.deployTarget.readLog()]);
    const releases = releaseViews(state, log);
    if (releases.length === 0) this.print(`No releases in ${this.deployTarget.display}.`);
    else this.print(renderReleaseTable(releases));
    return { target: this.deployTarget.display, current: state.current ?? null, releases };
  }
}
