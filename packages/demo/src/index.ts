// What other packages and end-to-end tests use to run the Divan API in-process.
import { type BuildOptions, buildApp, type DivanApp } from './app.js';
import { type DivanConfig, type DivanEnv, loadConfig } from './config.js';

export { LATEST_MIGRATION } from './migrate.js';
export { type BuildOptions, buildApp, type DivanApp, type DivanConfig, type DivanEnv, loadConfig };

/**
 * Loads the config from `env` (defaults to `process.env`), builds the service and listens.
 * `PORT: '0'` picks a free port; the returned `url` is where it listens. Stop it with `divan.close()`.
 */
export async function startDivan(
  env: DivanEnv | NodeJS.ProcessEnv = process.env,
  options: BuildOptions = {},
): Promise<{ url: string; divan: DivanApp }> {
  const divan = await buildApp(loadConfig(env), options);
  try {
    return { url: await divan.listen(), divan };
  } catch (error) {
    await divan.close();
    throw error;
  }
}
