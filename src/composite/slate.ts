import { cv, withScratch } from '../opencv.js';

/** A calm blue, so the slate is told apart from OBS's dark grey "blurcam is not running" placeholder at a glance. */
const SLATE_BGR = [150, 90, 40];
const TEXT_BGR = [235, 235, 235];
const MESSAGE = 'Be right back';

/**
 * The "be right back" slate as BGRA (width * height * 4 bytes): a plain background with the message in the
 * middle, drawn from constants only. blurcam sends it instead of camera frames while a "be right back" scene is
 * live, so not one camera pixel leaves the process, and OBS shows a slate rather than a frozen last frame.
 */
export function renderSlate(width: number, height: number): Buffer {
  return withScratch((track) => {
    const slate = track(new cv.Mat(height, width, cv.CV_8UC3, SLATE_BGR));
    // Text about half the frame wide, whatever its size.
    const scale = (0.5 * width) / cv.getTextSize(MESSAGE, cv.FONT_HERSHEY_SIMPLEX, 1, 2).size.width;
    const thickness = Math.max(1, Math.round(2 * scale));
    const { size } = cv.getTextSize(MESSAGE, cv.FONT_HERSHEY_SIMPLEX, scale, thickness);
    const origin = new cv.Point2(Math.round((width - size.width) / 2), Math.round((height + size.height) / 2));
    slate.putText(MESSAGE, origin, cv.FONT_HERSHEY_SIMPLEX, scale, new cv.Vec3(TEXT_BGR[0], TEXT_BGR[1], TEXT_BGR[2]), thickness, cv.LINE_AA);
    return Buffer.from(track(slate.cvtColor(cv.COLOR_BGR2BGRA)).getData());
  });
}
