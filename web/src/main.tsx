/** The viewer's entry point: styles, then the page for this address. */
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { render } from 'preact';
import { parseRoute } from './model/links.ts';
import { takeTokenFromAddress } from './model/token.ts';
import { App } from './ui/app.tsx';

takeTokenFromAddress();
render(<App route={parseRoute(new URL(location.href))} />, document.getElementById('app')!);
