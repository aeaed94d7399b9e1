/** `postinstall`: puts the /docs viewer into public/vendor (see scripts/lib/vendor.ts). */
import { ensureVendorAssets } from './lib/vendor.ts';

if (ensureVendorAssets()) console.log('public/vendor/scalar.js: copied from @scalar/api-reference');
