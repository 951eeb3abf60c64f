/** @module `npm start`: read the environment, start the server, shut down cleanly on SIGINT/SIGTERM. */
import { ConfigError, loadConfig } from '../../config/loadConfig';
import { startServer } from './startServer';

try {
  const config = loadConfig(process.env);
  const server = await startServer(config);
  if (server.firstAdminUrl) {
    // On plain stdout only: the link is a credential, kept out of the JSON log (which may be shipped elsewhere).
    console.log(`\nFirst-admin enrolment link (single use, expires in 24 h):\n  ${server.firstAdminUrl}\n`);
  }
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78);
  }
  throw error;
}
