import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env';

/**
 * The API reference: OpenAPI 3.1 generated from the zod route definitions, and Scalar's
 * standalone viewer served from our own origin (public/vendor, copied at install) so the page
 * works offline and under a CSP that allows no other origin.
 */
export function mountDocs(app: OpenAPIHono<AppEnv>) {
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Bangjiao (帮教) API',
      version: '1.0.0',
      description:
        'Community-correction services bought by county justice bureaus. Errors are application/problem+json.',
    },
    servers: [{ url: '/' }],
    tags: [{ name: 'Auth' }, { name: 'Platform' }, { name: 'County' }],
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });

  app.get('/docs', (c) => {
    c.header(
      'content-security-policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bangjiao API</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><script id="api-reference" data-url="/openapi.json"></script><script src="/vendor/scalar.js"></script></body></html>`,
    );
  });
}
