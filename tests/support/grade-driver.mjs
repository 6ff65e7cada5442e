// Test driver for grade mode (tracer-runtimes/javascript/grade.mjs) without tracer.mjs's dispatch:
//   node tests/support/grade-driver.mjs < job.json > frames.bin
// Reads one job line from stdin and runs it; frames on stdout as in the sandbox.
import { openChannel, readJobLine } from '../../tracer-runtimes/javascript/channel.mjs';
import { runGrade } from '../../tracer-runtimes/javascript/grade.mjs';

const chan = openChannel();
runGrade(JSON.parse(readJobLine()), chan);
