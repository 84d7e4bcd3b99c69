/** Where modules count what happened during a run (retries, HTTP requests, actions...). */
export interface Counters {
  increment(name: string, by?: number): void;
}
