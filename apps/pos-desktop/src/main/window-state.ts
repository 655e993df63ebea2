import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

export interface Rectangle {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface WindowState {
  readonly bounds: Rectangle;
  readonly maximized: boolean;
}

const RectangleSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(200).max(20_000),
  height: z.number().int().min(200).max(20_000),
});
const WindowStateSchema = z.object({ bounds: RectangleSchema, maximized: z.boolean() });

export const DEFAULT_SIZE = { width: 1280, height: 800 } as const;

/** The last window position; a missing or damaged file just means the default size. */
export function readWindowState(file: string): WindowState | null {
  try {
    const parsed = WindowStateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeWindowState(file: string, state: WindowState): void {
  writeFileSync(file, `${JSON.stringify(state)}\n`, { mode: 0o600 });
}

function overlapArea(a: Rectangle, b: Rectangle): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

/**
 * Where to open the window: the saved bounds if enough of them is on a display that is still attached
 * (a till's second screen gets unplugged), else the default size centred on the primary display.
 */
export function restoreBounds(saved: WindowState | null, workAreas: readonly Rectangle[]): WindowState {
  const primary = workAreas[0] ?? { x: 0, y: 0, ...DEFAULT_SIZE };
  if (saved) {
    const visible = workAreas.some(
      (area) => overlapArea(saved.bounds, area) >= 0.5 * saved.bounds.width * saved.bounds.height,
    );
    if (visible) return saved;
  }
  const width = Math.min(DEFAULT_SIZE.width, primary.width);
  const height = Math.min(DEFAULT_SIZE.height, primary.height);
  return {
    bounds: {
      x: primary.x + Math.round((primary.width - width) / 2),
      y: primary.y + Math.round((primary.height - height) / 2),
      width,
      height,
    },
    maximized: saved?.maximized ?? false,
  };
}
