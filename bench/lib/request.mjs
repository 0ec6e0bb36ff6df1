/**
 * Requests of section 3 (runtime) as PostgREST makes them: logged in as
 * `authenticator`, one transaction per request, the JWT claims in
 * request.jwt.claims and SET LOCAL ROLE to the caller's role. Only the query
 * itself is timed, as its floor (the superuser's query) is.
 */

/** Times one statement on `client` (ms, client side). */
export async function timed(client, sql, params) {
  const started = performance.now();
  await client.query(sql, params);
  return performance.now() - started;
}

/**
 * Runs `work(client)` inside a request of `caller.role` (authenticated or anon) for user
 * `caller.sub` (undefined for anon: its claims hold only the role), rolled back afterwards.
 */
async function inRequest(client, { role, sub }, work) {
  // The role comes from the benchmark's own cases, never from outside: checked anyway, as it is spliced in.
  if (!['anon', 'authenticated'].includes(role)) throw new Error(`bench: unexpected role ${role}`);
  await client.query('BEGIN');
  try {
    const claims = sub === undefined ? { role } : { sub, role };
    await client.query(`SELECT set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
    await client.query(`SET LOCAL ROLE ${role}`);
    return await work(client);
  } finally {
    await client.query('ROLLBACK');
  }
}

/** The time of `sql` (ms) as PostgREST runs it for `caller`. */
export const asRole = (client, caller, sql) => inRequest(client, caller, (c) => timed(c, sql));

/** The plan of `sql` as `caller` runs it, its nodes on one line (for the notes). */
export const planLine = (client, caller, sql) =>
  inRequest(client, caller, async (c) => {
    const plan = await c.query(`EXPLAIN (COSTS OFF) ${sql}`);
    return plan.rows.map((r) => r['QUERY PLAN'].trim()).join(' / ');
  });

/** `url` with its user replaced (no password: the test cluster trusts local logins). */
export function loginAs(url, user) {
  const u = new URL(url);
  u.username = user;
  u.password = '';
  return u.toString();
}
