import { env } from 'cloudflare:workers';
