import { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerOptions } from 'node:http';
import type { Express } from 'express';

export type ExpressObjectClasses = Required<Pick<ServerOptions, 'IncomingMessage' | 'ServerResponse'>>;

const built = new WeakMap<Express, ExpressObjectClasses>();

/**
 * Classes for `http.createServer` whose objects are born with the app's request and response prototypes.
 *
 * express gives each request and response its helpers by changing the prototype of the live object
 * (`Object.setPrototypeOf` in `app.handle`). V8 then stops using the fast property access that Node's own
 * http code was optimised for on those objects: in the throughput benchmark (bench/sections/imds-throughput.ts,
 * section 1 of bench/results.json) a one-middleware express app serves about a quarter of what bare node:http
 * serves (nodejs/node#37457, expressjs/express#5998).
 *
 * Each class here extends Node's own class, and its prototype sits in front of the app's. The app is told to
 * use these prototypes, so the swap in `app.handle` finds the prototype already in place and changes
 * nothing. Every express helper still works, and the objects keep their shape.
 */
export function expressObjectClasses(app: Express): ExpressObjectClasses {
  const existing = built.get(app);
  if (existing) return existing;
  class ExpressRequest extends IncomingMessage {}
  class ExpressResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {}
  Object.setPrototypeOf(ExpressRequest.prototype, app.request);
  Object.setPrototypeOf(ExpressResponse.prototype, app.response);
  app.request = ExpressRequest.prototype as unknown as Express['request'];
  app.response = ExpressResponse.prototype as unknown as Express['response'];
  const classes = { IncomingMessage: ExpressRequest, ServerResponse: ExpressResponse };
  built.set(app, classes);
  return classes;
}
