/**
 * @module The caps on open live streams, refused alike on every runtime before a stream opens: a device's streams
 * (its tabs and browsers together, `EXIGENT_STREAMS_PER_DEVICE`) and a session's (device and NCB inbox streams
 * together, `EXIGENT_STREAMS_PER_SESSION`). Each open stream holds a socket, subscriptions and timers on the server,
 * so one signed-in client must not be able to open them without bound.
 */
import { TooManyRequests } from '../errors';

/** A place frees up as soon as a stream closes; the client's next attempt a few seconds later can take it. */
const RETRY_AFTER_SECONDS = 5;

export const tooManyDeviceStreams = (limit: number) =>
  new TooManyRequests(`This device already has ${limit} live streams open, the most allowed; close one (another tab?) and try again`, RETRY_AFTER_SECONDS);

export const tooManySessionStreams = (limit: number) =>
  new TooManyRequests(`This session already has ${limit} live streams open, the most allowed; close one (another tab?) and try again`, RETRY_AFTER_SECONDS);
