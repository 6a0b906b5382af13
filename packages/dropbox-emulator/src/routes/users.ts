import { sendJson } from '../wire';
import { rootInfoOf } from './caller';
import type { UserRoute } from './rpc-types';

/** users/get_current_account and users/get_space_usage, for the caller's own account. */

/** What an individual account is given; Dropbox Basic is 2 GB. */
const ALLOCATED_BYTES = 2 * 1024 ** 3;

export const getCurrentAccount: UserRoute = {
  scope: 'account_info.read',
  takesArgs: false,
  handle(_ctx, _args, { account }, _req, res) {
    sendJson(res, 200, {
      account_id: account.accountId,
      name: {
        given_name: account.givenName,
        surname: account.surname,
        familiar_name: account.givenName,
        display_name: `${account.givenName} ${account.surname}`,
        abbreviated_name: `${account.givenName[0]}${account.surname[0]}`,
      },
      email: account.email,
      email_verified: true,
      disabled: false,
      country: 'US',
      locale: 'en',
      referral_link: 'https://db.tt/emulator',
      is_paired: false,
      account_type: { '.tag': 'basic' },
      // Since the 2023 team-space update a team member may be tagged "user" with root != home.
      root_info: rootInfoOf(account, 'user'),
    });
  },
};

export const getSpaceUsage: UserRoute = {
  scope: 'account_info.read',
  takesArgs: false,
  handle(_ctx, _args, { account }, _req, res) {
    sendJson(res, 200, { used: account.tree.usedBytes, allocation: { '.tag': 'individual', allocated: ALLOCATED_BYTES } });
  },
};
