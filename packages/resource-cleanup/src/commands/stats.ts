import { StatsCommand } from '@tempered/core';

export default class Stats extends StatsCommand {}
