export default {
  async fetch(_req: Request, env: { CONTROL_DB: D1Database }) {
    const r = await env.CONTROL_DB.prepare('select 1 as x').first();
    return Response.json(r);
  },
} satisfies ExportedHandler<{ CONTROL_DB: D1Database }>;
