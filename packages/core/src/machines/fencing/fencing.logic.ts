import type { FencingContext } from './fencing.types.js';

/** Devices of the current level, or an empty list past the last level. */
export function currentLevel(ctx: FencingContext): string[] {
  return ctx.levels[ctx.levelIdx] ?? [];
}

/** The device the current step acts on. */
export function currentDevice(ctx: FencingContext): string {
  return currentLevel(ctx)[ctx.devIdx] ?? '';
}

/** The action of the current step: `reboot` on a multi-device level is split into offs then ons. */
export function currentAction(ctx: FencingContext): 'off' | 'on' | 'reboot' {
  if (ctx.phase === 'off') return 'off';
  if (ctx.phase === 'on') return 'on';
  return ctx.action;
}

/** Phase a level starts in. */
export function phaseFor(ctx: Pick<FencingContext, 'action'>, level: string[]): FencingContext['phase'] {
  return ctx.action === 'reboot' && level.length > 1 ? 'off' : 'single';
}

/** Where the walk goes after the current device succeeded. */
export function afterSuccess(ctx: FencingContext): 'nextDevice' | 'levelFenced' | 'onsDone' {
  const level = currentLevel(ctx);
  if (ctx.devIdx + 1 < level.length) return 'nextDevice';
  if (ctx.phase === 'off') return 'levelFenced';
  if (ctx.phase === 'on') return 'onsDone';
  return 'levelFenced';
}
