import { tableOf } from './support/rows';
import { largeFolders } from './scenarios/large-folders';

/** `npx tsx bench/large-folders.ts`: the folder-index scenario alone (npm run bench runs it with the rest). */
largeFolders().then(
  (rows) => console.log(tableOf(rows)),
  (error: Error) => {
    console.error(`bench failed: ${error.stack}`);
    process.exit(1);
  },
);
