export {
  CliProcess,
  type CliResult,
  cleanEnv,
  runCli,
  runCommand,
  type StartOptions,
  startCli,
  WAIT_FOR_LOG_MS,
} from './CliProcess.js';
export { closeWhenTestFinishes } from './closeWhenTestFinishes.js';
export {
  type CrashedRun,
  type CrashOptions,
  type CrashRun,
  type CrashRunner,
  crashAt,
  crashMatrix,
  crashOnce,
  describeKillPoint,
  type KillPoint,
  spread,
} from './crashAt.js';
export { deadUrl } from './deadUrl.js';
export { type BuiltCli, type DefineCliOptions, defineCli, packageBin } from './defineCli.js';
export { listTree } from './listTree.js';
export { ANSI, type LogLine, type LogMatch, matchesLog, messages, parseLogLines } from './logLines.js';
export { findPostgresBin, type PostgresCluster, startPostgres } from './postgres.js';
export { type SshFleet, type SshHost, type SshHostsOptions, startSshHosts } from './sshHosts.js';
export {
  type FaultHandler,
  type FaultRequest,
  type FaultServer,
  type FaultServerOptions,
  type FaultStep,
  type ProxyStep,
  type ReplyStep,
  type ResetStep,
  startFaultServer,
} from './startFaultServer.js';
export { startRecordingServer } from './startRecordingServer.js';
export { type JournalView, type LeftLock, type StateView, stateOf } from './stateOf.js';
export {
  type CliSpec,
  READS_STATE_FILES,
  type RunOptions,
  stateOnPostgres,
  TEST_STATE_URL_VARIABLE,
  tempWorkspace,
  Workspace,
  type WorkspaceOptions,
} from './Workspace.js';
export { modeOf, type WalkedEntry, walk } from './walk.js';
