/** @module Gives a test person an SDK device: fresh libsodium keys, registered over HTTP, streaming over real WebSockets. */
import { Api } from '../../clients/sdk/api';
import { generateDeviceKeys } from '../../clients/sdk/crypto';
import { Messenger } from '../../clients/sdk/messenger';
import type { ApiClient } from './apiClient';
import type { Person } from './people';

export function sdkApi(client: ApiClient): Api {
  return new Api({ baseUrl: client.baseUrl, fetch: client.fetch });
}

export async function newDevice(person: Person, name: string, client: ApiClient = person.client): Promise<Messenger> {
  const api = sdkApi(client);
  const device = await Messenger.registerDevice(api, { userId: person.user.id, name, keys: await generateDeviceKeys() });
  return new Messenger(api, device, { openSocket: client.openSocket });
}
