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
 * Runs `work(client)` in a transaction holding the JWT claims of `caller` (`{ role, sub }`, `sub`
 * undefined for anon: its claims hold only the role) in request.jwt.claims, rolled back afterwards.
 */
async function withClaims(client, { role, sub }, work) {
  await client.query('BEGIN');
  try {
    const claims = sub === undefined ? { role } : { sub, role };
    await client.query(`SELECT set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
    return await work(client);
  } finally {
    await client.query('ROLLBACK');
  }
}

/** Runs `work(client)` inside a request of `caller.role` (anon or authenticated): its claims, then SET LOCAL ROLE. */
function inRequest(client, caller, work) {
  // The role comes from the benchmark's own cases, never from outside: checked anyway, as it is spliced in.
  if (!['anon', 'authenticated'].includes(caller.role)) throw new Error(`bench: unexpected role ${caller.role}`);
  return withClaims(client, caller, async (c) => {
    await c.query(`SET LOCAL ROLE ${caller.role}`);
    return await work(c);
  });
}

/** The time of `sql` (ms) as PostgREST (or Storage, with its bound `params`) runs it for `caller`. */
export const asRole = (client, caller, sql, params) => inRequest(client, caller, (c) => timed(c, sql, params));

/**
 * The time of `sql` (ms) as the superuser `client` runs it with the claims of `caller` but no
 * SET ROLE: a floor whose WHERE calls auth.uid() as the caller's policy does, without row-level security.
 */
export const asSuperuserWithClaims = (client, caller, sql, params) => withClaims(client, caller, (c) => timed(c, sql, params));

/** The plan of `sql`, its nodes on one line (for the notes). */
async function planOf(client, sql, params) {
  const plan = await client.query(`EXPLAIN (COSTS OFF) ${sql}`, params);
  return plan.rows.map((r) => r['QUERY PLAN'].trim()).join(' / ');
}

/** The plan of `sql` as `caller` runs it. */
export const planLine = (client, caller, sql, params) => inRequest(client, caller, (c) => planOf(c, sql, params));

/** The plan of a floor as the superuser `client` runs it, with the claims of `caller` (see asSuperuserWithClaims). */
export const superuserPlanLine = (client, caller, sql, params) => withClaims(client, caller, (c) => planOf(c, sql, params));

/** `url` with its user replaced (no password: the test cluster trusts local logins). */
export function loginAs(url, user) {
  const u = new URL(url);
  u.username = user;
  u.password = '';
  return u.toString();
}
