import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export const CSP: string;
/** The production server's request handler over the built files of `dir` (default: next to main.js). */
export function storefrontHandler(dir?: string): (req: IncomingMessage, res: ServerResponse) => void;
export function createStorefrontServer(dir?: string): Server;
