import type { Actor } from '../directory/actor';
import type { Services } from '../runtime/services';
/** @module The Hono environment shared by every route: the services and the (possibly anonymous) actor. */

export type AppEnv = {
  Variables: {
    services: Services;
    actor: Actor | undefined;
    requestId: string;
    /** Raw session token of this request, when one was presented and is valid. */
    sessionToken: string | undefined;
  };
};
