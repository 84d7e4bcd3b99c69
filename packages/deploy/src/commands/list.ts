import { DeployReadCommand } from '../command/DeployReadCommand.js';
import { type ReleaseView, releaseViews, renderReleaseTable } from '../command/releaseViews.js';

export interface ListResult {
  target: string;
  current: string | null;
  releases: ReleaseView[];
  /** An SSH target: every host's releases (the fields above are the first host's). */
  hosts?: { host: string; current: string | null; releases: ReleaseView[] }[];
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
    const perHost = await Promise.all(
      this.fleet.hosts.map(async ({ name, target }) => {
        const { state, log } = await target.snapshot();
        return {
          name,
          display: target.display,
          current: state.current ?? null,
          releases: releaseViews(state, log),
        };
      }),
    );
    const lines: string[] = [];
    for (const host of perHost) {
      if (perHost.length > 1) lines.push(`${host.name} (${host.display}):`);
      lines.push(
        host.releases.length === 0 ? `No releases in ${host.display}.` : renderReleaseTable(host.releases),
      );
    }
    this.print(lines.join('\n'));
    const first = perHost[0]!;
    return {
      target: this.fleet.display,
      current: first.current,
      releases: first.releases,
      ...(perHost.length > 1
        ? { hosts: perHost.map(({ name, current, releases }) => ({ host: name, current, releases })) }
        : {}),
    };
  }
}
