import { describe, expect, it } from 'vitest';
import { heartbeatUrl } from '../../../src/metrics/index.js';

const RID = '3f1c2b9e-6a4d-4c1e-9b7a-0d5e8f2a1c3b';

describe('heartbeatUrl (healthchecks.io ping API)', () => {
  it('appends the event and the run id', () => {
    expect(heartbeatUrl('https://hc-ping.com/uuid', 'start', RID)).toBe(
      `https://hc-ping.com/uuid/start?rid=${RID}`,
    );
    expect(heartbeatUrl('https://hc-ping.com/uuid/', 0, RID)).toBe(`https://hc-ping.com/uuid/0?rid=${RID}`);
    expect(heartbeatUrl('https://hc-ping.com/uuid', 3, RID)).toBe(`https://hc-ping.com/uuid/3?rid=${RID}`);
    expect(heartbeatUrl('https://hc-ping.com/key/job-slug', 'log', RID)).toBe(
      `https://hc-ping.com/key/job-slug/log?rid=${RID}`,
    );
  });

  it('keeps a query the base URL has, and leaves rid out when there is none', () => {
    expect(heartbeatUrl('https://hc.example/ping/k/slug?create=1', 'start', RID)).toBe(
      `https://hc.example/ping/k/slug/start?create=1&rid=${RID}`,
    );
    expect(heartbeatUrl('http://127.0.0.1:8000/hc', 2)).toBe('http://127.0.0.1:8000/hc/2');
  });
});
