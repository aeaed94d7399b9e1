import type { OpenAPIHono } from '@hono/zod-openapi';
import { CSRF_HEADER, SESSION_COOKIE } from '../auth/middleware';
import type { AppEnv } from '../env';
import { completeDocument } from './operations';

/**
 * The API reference: OpenAPI 3.1 generated from the zod route definitions, and Scalar's
 * standalone viewer served from our own origin (public/vendor, copied at install) so the page
 * works offline and under a CSP that allows no other origin.
 */
export function mountDocs(app: OpenAPIHono<AppEnv>) {
  const config: Parameters<typeof app.getOpenAPI31Document>[0] = {
    openapi: '3.1.0',
    info: {
      title: 'Bangjiao (帮教) API',
      version: '1.0.0',
      description:
        'Community-correction services bought by county justice bureaus. Errors are application/problem+json.',
      // Served to the bureaus and providers under the service agreement; not an open licence.
      // (`identifier` is OpenAPI 3.1's; the config's types know only 3.0's licence fields.)
      license: { name: 'Proprietary', ...{ identifier: 'LicenseRef-Bangjiao-Service-Agreement' } },
    },
    servers: [{ url: '/' }],
  };
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: `The console's session; a write also sends the page's CSRF token in \`${CSRF_HEADER}\`.`,
  });
  // Built once per isolate: the routes do not change while it runs, and building takes ~0.3 s.
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  app.get('/openapi.json', (c) => {
    document ??= completeDocument(app.getOpenAPI31Document(config));
    return c.json(document);
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
