import type { Request, Response } from 'express';
import type { EmulatedAccount } from '../accounts';
import type { EmulatorContext } from '../context';

/** The shape every /2/ RPC route module shares; the dispatcher (rpc.ts) only knows this. */

export type Args = Record<string, unknown>;

/** Who is calling: the token's account, and the namespace the call works in. */
export interface Caller {
  account: EmulatedAccount;
  accessToken: string;
  /** The namespace's folder in the account's tree: `` for the root, the team home path otherwise. */
  prefix: string;
}

export interface UserRoute {
  noAuth?: false;
  /** The scope the token must carry (401 missing_scope otherwise). */
  scope?: string;
  /** Whether the route takes a JSON argument (no-argument routes accept no body at all). */
  takesArgs: boolean;
  handle(ctx: EmulatorContext, args: Args, caller: Caller, req: Request, res: Response): void;
}

/** files/list_folder/longpoll takes no Authorization at all. */
export interface NoAuthRoute {
  noAuth: true;
  takesArgs: true;
  handle(ctx: EmulatorContext, args: Args, req: Request, res: Response): void;
}

export type RpcRoute = UserRoute | NoAuthRoute;
