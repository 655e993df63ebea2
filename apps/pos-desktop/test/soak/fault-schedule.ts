/**
 * The soak's fault plan, fixed before the first fault: a bounded number of faults spread evenly over the
 * selling phase, each in its own slot with jitter, so a long run is faulted from its first minute to its
 * last instead of exhausting its budget early. Kinds are dealt in shuffled rounds (each round holds every
 * kind once), so every kind is spread over the whole run as well.
 */

export interface PlannedFault<Kind extends string> {
  /** Offset from the start of the selling phase. */
  readonly atMs: number;
  readonly kind: Kind;
}

export interface FaultPlanOptions<Kind extends string> {
  readonly fromMs: number;
  readonly toMs: number;
  readonly count: number;
  readonly kinds: readonly Kind[];
  readonly random: () => number;
  /**
   * A span in which one kind never happens (its slots get other kinds): the soak keeps hub SIGKILLs out
   * of a stretch long enough for one hub process to be watched for memory growth.
   */
  readonly quiet?: { readonly kind: Kind; readonly fromMs: number; readonly toMs: number };
  /** How far a fault may move from its slot's middle, as a fraction of the slot (below 0.5). */
  readonly jitter?: number;
}

export function planFaults<Kind extends string>(options: FaultPlanOptions<Kind>): PlannedFault<Kind>[] {
  const { fromMs, toMs, count, kinds, random, quiet } = options;
  const jitter = options.jitter ?? 0.35;
  if (count <= 0 || toMs <= fromMs || kinds.length === 0) return [];
  const slotMs = (toMs - fromMs) / count;
  const others = quiet === undefined ? kinds : kinds.filter((kind) => kind !== quiet.kind);
  let round: Kind[] = [];
  let substitute = 0;
  const plan: PlannedFault<Kind>[] = [];
  for (let slot = 0; slot < count; slot += 1) {
    if (round.length === 0) round = shuffle([...kinds], random);
    const atMs = Math.round(fromMs + slotMs * (slot + 0.5 + (random() * 2 - 1) * jitter));
    let kind = round.pop()!;
    if (quiet !== undefined && kind === quiet.kind && atMs >= quiet.fromMs && atMs <= quiet.toMs) {
      if (others.length === 0) continue;
      kind = others[substitute % others.length]!;
      substitute += 1;
    }
    plan.push({ atMs, kind });
  }
  return plan;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other]!, items[index]!];
  }
  return items;
}

export interface KindSpread {
  readonly count: number;
  readonly firstS: number;
  readonly lastS: number;
}

export interface FaultSpread {
  readonly byKind: Record<string, KindSpread>;
  /** Faults in each tenth of the run: an even spread shows as ten similar counts. */
  readonly perTenth: number[];
}

/** When each kind of fault happened (first, last, how many) and how the faults fell over the run. */
export function faultSpread(faults: readonly { atS: number; kind: string }[], runS: number): FaultSpread {
  const byKind: Record<string, KindSpread> = {};
  const perTenth = Array.from({ length: 10 }, () => 0);
  for (const fault of faults) {
    const seen = byKind[fault.kind];
    byKind[fault.kind] =
      seen === undefined
        ? { count: 1, firstS: fault.atS, lastS: fault.atS }
        : {
            count: seen.count + 1,
            firstS: Math.min(seen.firstS, fault.atS),
            lastS: Math.max(seen.lastS, fault.atS),
          };
    const tenth = Math.min(9, Math.max(0, Math.floor((fault.atS / Math.max(1, runS)) * 10)));
    perTenth[tenth] = perTenth[tenth]! + 1;
  }
  return { byKind, perTenth };
}
