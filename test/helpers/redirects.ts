/**
 * Redirect targets a request may carry that must never be followed (src/lib/safe-redirect.ts):
 * other hosts however spelled, and control characters raw or percent-encoded.
 */
export const OFF_SITE_TARGETS = [
  '//evil.example/x',
  '//evil',
  '/\\evil',
  '/\\\\evil',
  '/%09/evil.example',
  '/%2F/evil.example',
  '/%5cevil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/c/deqing/\r\nSet-Cookie: x=1',
  '/c/deqing/%0d%0aSet-Cookie:%20x=1',
  '/c/deqing/\u0000',
  '/c/deqing/\u007f',
  '/a/..//evil.example',
  'https://evil.example/x',
  'http:/evil.example',
  'javascript:alert(1)',
  'evil.example',
] as const;
