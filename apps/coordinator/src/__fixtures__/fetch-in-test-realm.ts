/**
 * A fetch for tf.io.http in tests. Jest runs tests in their own VM realm: arrays that Node's
 * fetch parses there fail tfjs-layers' `instanceof Array` checks. Parsing the body in the
 * test's realm avoids it; outside Jest the plain `tf.io.http(url, { requestInit })` is enough.
 */
export async function fetchInTestRealm(input: string, init?: RequestInit) {
  const response = await fetch(input, init);
  return {
    ok: response.ok,
    status: response.status,
    json: async () => JSON.parse(await response.text()) as unknown,
    arrayBuffer: async () => new Uint8Array(await response.arrayBuffer()).slice().buffer,
  };
}
