/** @module The client SDK's crypto core: device keys, envelopes, message content, attachments and safety numbers. */
export * from './attachments';
export * from './content';
export * from './deviceKeys';
export * from './envelope';
export * from './errors';
export * from './safetyNumber';
export * from './sodium';
