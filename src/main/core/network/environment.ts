/**
 * The environment that points a sandboxed process at its session's proxy and makes it trust the
 * session's certificate authority. Upper and lower case: tools disagree on which they read (curl
 * only reads lower-case http_proxy, Python's requests either, npm and git both).
 */

/** Inside the sandbox the proxy listens here: the sandbox's own loopback, nobody else's. */
export const PROXY_PORT = 3128;

export function proxyEnvironment(files: { ca: string; bundle: string }): Record<string, string> {
  const url = `http://127.0.0.1:${PROXY_PORT}`;
  // Only the sandbox's own loopback bypasses the proxy: the bridges (hooks, a local model) live
  // there. No private range is listed, so nothing of the host's network is reached directly.
  const noProxy = 'localhost,127.0.0.1,::1';
  const env: Record<string, string> = {};
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY']) {
    env[name] = url;
    env[name.toLowerCase()] = url;
  }
  env.NO_PROXY = noProxy;
  env.no_proxy = noProxy;
  // Node adds this one certificate to its own roots; the others replace the roots with the bundle.
  env.NODE_EXTRA_CA_CERTS = files.ca;
  // npm reads a `cafile` from npmrc files (Debian's /etc/npmrc sets one) and then ignores
  // NODE_EXTRA_CA_CERTS; the environment overrides every npmrc.
  env.NPM_CONFIG_CAFILE = files.bundle;
  for (const name of [
    'SSL_CERT_FILE',
    'REQUESTS_CA_BUNDLE',
    'CURL_CA_BUNDLE',
    'GIT_SSL_CAINFO',
    'PIP_CERT',
  ])
    env[name] = files.bundle;
  return env;
}
