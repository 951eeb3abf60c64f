// Configuration is validated at start with messages that name the variable.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './loadConfig';

describe('loadConfig', () => {
  it('has safe defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8787, dbPath: './data/exigent.db', origin: 'http://localhost:8787', rpId: 'localhost', rpName: 'Exigent' });
    expect(config.logKeyPath).toBe('data/log-signing.key');
  });

  it('derives origin and RP ID from each other', () => {
    expect(loadConfig({ PORT: '9000' }).origin).toBe('http://localhost:9000');
    expect(loadConfig({ EXIGENT_ORIGIN: 'https://exigent.police.example' }).rpId).toBe('exigent.police.example');
    expect(loadConfig({ EXIGENT_ORIGIN: 'https://app.exigent.example', EXIGENT_RP_ID: 'exigent.example' }).rpId).toBe('exigent.example');
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT must be between 1 and 65535/);
    expect(() => loadConfig({ EXIGENT_ORIGIN: 'not a url' })).toThrow(/EXIGENT_ORIGIN/);
    expect(() => loadConfig({ EXIGENT_ORIGIN: 'https://a.example/path' })).toThrow(/without path/);
    expect(() => loadConfig({ EXIGENT_ORIGIN: 'https://a.example', EXIGENT_RP_ID: 'b.example' })).toThrow(ConfigError);
    expect(() => loadConfig({ EXIGENT_SESSION_IDLE_MINUTES: '0' })).toThrow(/EXIGENT_SESSION_IDLE_MINUTES/);
    // Longer would make the session cookie unserialisable (browsers cap cookies at 400 days).
    expect(() => loadConfig({ EXIGENT_SESSION_MAX_HOURS: '721' })).toThrow(/at most 720/);
    expect(() => loadConfig({ EXIGENT_SMTP_URL: 'mail server' })).toThrow(/EXIGENT_SMTP_URL/);
    expect(() => loadConfig({ EXIGENT_MAX_ATTACHMENT_MB: '20', EXIGENT_MAX_BODIES_IN_FLIGHT_MB: '16' })).toThrow(
      /EXIGENT_MAX_BODIES_IN_FLIGHT_MB: 16 is less than EXIGENT_MAX_ATTACHMENT_MB \(20\)/,
    );
    expect(() => loadConfig({ EXIGENT_ATTACHMENT_MB_PER_HOUR: '5' })).toThrow(/EXIGENT_ATTACHMENT_MB_PER_HOUR: 5 is less than EXIGENT_MAX_ATTACHMENT_MB \(10\)/);
  });

  it('caps live streams: frame size, streams per device and per session', () => {
    expect(loadConfig({})).toMatchObject({ maxFrameBytes: 16 * 1024, streamsPerDevice: 4, streamsPerSession: 8 });
    expect(loadConfig({ EXIGENT_MAX_FRAME_KB: '4', EXIGENT_STREAMS_PER_DEVICE: '2', EXIGENT_STREAMS_PER_SESSION: '3' })).toMatchObject({
      maxFrameBytes: 4096,
      streamsPerDevice: 2,
      streamsPerSession: 3,
    });
    expect(() => loadConfig({ EXIGENT_MAX_FRAME_KB: '0' })).toThrow(/EXIGENT_MAX_FRAME_KB must be greater than zero/);
    expect(() => loadConfig({ EXIGENT_STREAMS_PER_SESSION: 'many' })).toThrow(/EXIGENT_STREAMS_PER_SESSION must be a whole number/);
  });

  it('accepts an in-memory database', () => {
    expect(loadConfig({ EXIGENT_DB: ':memory:' }).dbPath).toBe(':memory:');
    expect(loadConfig({ EXIGENT_DB: ':memory:' }).logKeyPath).toBe('data/log-signing.key');
  });

  it('keeps the log key beside the database unless told otherwise', () => {
    const keyFor = (db: string) => loadConfig({ EXIGENT_DB: db }).logKeyPath;
    expect(keyFor('/var/lib/exigent/exigent.db')).toBe('/var/lib/exigent/log-signing.key');
    expect(keyFor('exigent.db')).toBe('log-signing.key');
    expect(keyFor('../shared//db/./exigent.db')).toBe('../shared/db/log-signing.key');
    expect(keyFor('/srv/../exigent.db')).toBe('/log-signing.key');
    expect(loadConfig({ EXIGENT_DB: 'x.db', EXIGENT_LOG_KEY: '/etc/exigent/key' }).logKeyPath).toBe('/etc/exigent/key');
  });
});
