import { render } from 'preact';
render(<p>ARTC Ingest</p>, document.getElementById('app')!);
