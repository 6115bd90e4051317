/**
 * The steps of the scenario language, one file each, in the order the language lists them (in
 * usage, errors and the schema). A new step is a file here that calls defineStep, and its line below.
 */
import './top-up.js';
import './register-then-top-up.js';
import './invalid-top-up.js';
import './cancel.js';
import './suspend.js';
import './anchor.js';
import './burst.js';
import './foreign-top-up.js';
import './malformed-log.js';
import './mine.js';
import './confirm.js';
import './mine-to.js';
import './reorg.js';
import './kill.js';
import './start.js';
import './restart.js';
import './pause.js';
import './unpause.js';
import './partition.js';
import './heal.js';
import './loss.js';
import './latency.js';
import './bandwidth.js';
import './connect.js';
import './create-repo.js';
import './push.js';
import './remember.js';
import './sleep.js';
import './wait.js';
import './expect.js';
import './never.js';

export {
  defineStep,
  isStepKind,
  registryVersion,
  stepDefinition,
  stepKinds,
  text,
  valueOf,
  count,
  type Declarations,
  type Field,
  type RawStep,
  type StepCheck,
  type StepChecks,
  type StepDefinition,
  type StepOutcome,
} from './define.js';
