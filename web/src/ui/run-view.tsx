/** A run in whatever it is: a traced run in the step viewer, a benchmark as its plots, a graded run as its cases. */
import { BenchResults } from './bench.tsx';
import { TestResults } from './problems.tsx';
import { RunViewer, type ViewerProps } from './run-viewer.tsx';

export function RunView(props: ViewerProps) {
  const { run } = props;
  switch (run.kind) {
    case 'bench':
      return (
        <section class="bench" aria-label="Benchmark">
          <BenchResults run={run} />
        </section>
      );
    case 'test':
      return (
        <section class="test-run" aria-label="Test results">
          <TestResults run={run} problem={null} />
        </section>
      );
    default:
      return <RunViewer key={run.id} {...props} />;
  }
}
