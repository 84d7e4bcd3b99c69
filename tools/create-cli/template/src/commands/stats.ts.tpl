import { StatsCommand } from '@tempered/core';

/** `__CLI__ stats`: core's report over the run records (runs, success rate, p95, failures). */
export default class Stats extends StatsCommand {}
