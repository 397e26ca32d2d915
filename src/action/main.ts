// Entry point of the GitHub Action (action.yml runs `node dist/action/main.js` with the inputs as INPUT_* variables).
import { runAction } from './run.js';

runAction(process.env).then((code) => {
  process.exitCode = code;
});
