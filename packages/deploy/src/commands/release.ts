import { defineSection, JobCommand } from '@tempered/core';
import { releaseArgs, releaseFlags } from '../job/flags.js';
import { releaseJob } from '../job/releaseJob.js';
import { deploySection } from '../section.js';

export default class Release extends JobCommand {
  static override summary =
    'Deploy ARTIFACT (a directory or .tar.gz) as a new release, switch to it, check its health.';
  static override description =
    'Copies or extracts ARTIFACT into releases/<id>, links shared paths, runs the beforeSwitch hooks, ' +
    'switches current atomically, runs the afterSwitch hooks and the health check; on failure switches ' +
    'back to the previous good release. Deploying the artifact that is already current does nothing.';
  static override examples = [
    '<%= config.bin %> release ./build -e staging --version 1.4.2',
    '<%= config.bin %> release app.tar.gz -e prod --yes --lock-wait 5m',
    '<%= config.bin %> release ./build -e staging --dry-run',
    '<%= config.bin %> release ./build -e prod --dry-run --plan-out release.plan  # review, then: deploy apply release.plan --yes',
    '<%= config.bin %> release ./build --config /etc/tempered/deploy.yml -e prod --yes --quiet --log-file /var/log/deploy.log',
    '<%= config.bin %> release ./build -e staging --json --log-level debug --state-dir /var/lib/tempered',
  ];
  static override args = releaseArgs;
  static override flags = releaseFlags;
  static override sectionSchema = defineSection(deploySection);
  static override job = releaseJob;
}
