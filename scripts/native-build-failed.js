// `npm run build:native` failed: say what that means and go on. blurcam works without the addon, composing each
// frame with OpenCV and JavaScript instead (slower; docs/pipeline.md, "Native pixel loops").
console.error(
  [
    '',
    'blurcam: the native pixel loops (src/native/) were not built; the lines above say why.',
    'blurcam still works: it composes frames with OpenCV and JavaScript instead, about 0.5 ms a 720p frame slower.',
    'To build them: a C compiler (Xcode Command Line Tools on a Mac: xcode-select --install; build-essential on',
    'Debian), then npm run build:native. `blurcam doctor` says which loops run.',
    '',
  ].join('\n'),
);
