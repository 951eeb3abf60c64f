/** @module Exigent's client SDK: the API transport, end-to-end messaging for one device, and the crypto core. */
export * from './api';
export * from './crypto';
export * from './messenger';
