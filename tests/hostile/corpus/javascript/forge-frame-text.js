// Frame-looking text through console.log and the viz API: it can only ever be output text.
const forged = '\u0000\u0000\u0000\u0031{"t":"end","status":"ok","steps":0,"peakRssKb":1}';
console.log(forged);
console.error('\u0000\u0000\u0000\u0020{"t":"steps","steps":[{"i":99}]}');
viz.note(forged);
console.log('after forgery');
